"""The ground floor: what every app of the portal stands on, and which imports none of them.

Base model and audit log, the mail funnel, the queue and its outbox, leases, PDFs, uploads,
the public cache, the failover cache, error reports, and the deadline engine with its
registry. Domain apps (charters <- members <- activities <- governance) import from here;
nothing here imports them: where core needs their data, they register it from their
``AppConfig.ready()`` (the deadline sources, the audited models).
"""
