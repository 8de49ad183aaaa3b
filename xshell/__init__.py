"""xshell: an interactive shell for Cisco RoomOS/CE devices over XoWS."""

__version__ = "0.1.0"
