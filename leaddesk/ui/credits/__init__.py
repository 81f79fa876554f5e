"""The credits view: balance, packages, usage chart and the transaction history."""
