"""What the desk registers with the lower packages when the portal starts: its menu entry,
its daily counts by channel, and the hook that hears when a linked case finishes."""


def register_desk() -> None:
    pass
