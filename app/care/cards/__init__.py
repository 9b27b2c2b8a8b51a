"""The care contact card (亲情服务卡): whom a member calls, on paper and on the phone."""
