"""A stateful mock of the billing service's retry endpoint."""
