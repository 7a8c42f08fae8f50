from tests.agents.conftest import fake_openai
from tests.governance.factories import clock

__all__ = ["clock", "fake_openai"]
