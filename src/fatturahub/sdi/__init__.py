"""The SDI protocol: notification messages today, channels later. Pure: no HTTP, no database."""
