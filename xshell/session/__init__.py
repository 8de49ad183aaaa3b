"""One device's session and its state: live values, registrations, transcripts, snapshots."""
