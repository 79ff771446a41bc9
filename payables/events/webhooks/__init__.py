"""Push delivery of the outbox to subscribers, signed as Standard Webhooks prescribes."""
