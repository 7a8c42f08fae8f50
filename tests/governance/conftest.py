from tests.governance.factories import clock

__all__ = ["clock"]
