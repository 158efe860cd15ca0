"""Removable media (USB sticks) as the station's system mounts them: an adapter, no Kivy."""
