"""The contract of ``POST api/v1/billing/invoices/retryallfailed``, generated from its help page."""
