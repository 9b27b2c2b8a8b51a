"""A branch's care cards (亲情服务卡) as one PDF, made by the worker: asked for from
/care/cards, within the data scope of whoever asked."""
