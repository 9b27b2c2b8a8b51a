"""People: the district's organisation and roster.

The org tree (`org/`), the roster and each person's page (`roster/`), and the roster
import from Excel (`imports/`), each with its routes, service and templates; beside
them what they share and what other capabilities use: the models, the data-scope
predicates (`scope`), finding people by what is typed (`search`), ID number
encryption and its key rotation (`crypto`, `keys`), pinyin keys, the link between
an account and its person (`account_links`) and the announcement that people changed
(`events`). `routes.ROUTES` gathers the pages, `deps` builds their services on the
request's session; `jobs` holds the worker's tasks.
"""
