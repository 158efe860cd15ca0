"""The station–central contract: the signed request protocol and the typed events and answers."""
