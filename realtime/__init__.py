"""Moves already-decided events: the event log, the broadcast doorbell, subscription streams."""
