"""`facilitation loadtest`: N simulated phones against a running server, with figures.

Each simulated phone does on the wire what the participant page does in Chromium (`phone`);
generator processes hold the phones (`generator`); the facilitator and the projector are
simulated too (`console`); `run` clicks through the steps, times a vote burst and an optional
reconnect storm, and prints the figures. Every wait has a limit (`--timeout`): a server that
stops answering ends the run with a message saying what it was waiting for.
"""

from facilitation.loadtest.run import loadtest_command, run

__all__ = ["loadtest_command", "run"]
