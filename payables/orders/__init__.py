"""Purchase orders: what the company ordered, what arrived, and (later) what was invoiced."""
