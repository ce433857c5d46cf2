"""UBE core: everything that is not user interface.

``ube_core.procedure`` is the pure rules engine of the Unacceptable Behaviour –
Tenancy Enforcement Procedure; storage, services, queries and letters build on it.
"""
