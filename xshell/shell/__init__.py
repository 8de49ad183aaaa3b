"""The UI-facing backends: one device, several devices, and the words they offer."""
