"""Default signal dispositions for the interpreters the bridges start.

An agent started as a background job of a script, or under nohup, inherits SIGINT, SIGQUIT and
SIGHUP ignored, and an ignored signal stays ignored across exec: bash could then neither trap
SIGINT nor be interrupted, and neither could the commands it runs. Sandbox code runs with the
defaults whatever the agent inherited, as processes started through the process service do
(ChildSpawner.cs resets them with posix_spawn).
"""
import signal

INHERITED_IGNORED = (signal.SIGHUP, signal.SIGINT, signal.SIGQUIT)


def restore_defaults():
    """A preexec_fn: runs in the child between fork and exec."""
    for number in INHERITED_IGNORED:
        signal.signal(number, signal.SIG_DFL)


def ending(what, returncode):
    """How a child ended, from its return code (Popen's: negative for a signal), for the error a
    dying kernel leaves; SIGKILL is named with the out-of-memory killer, its most common sender."""
    if returncode is None:
        return "%s died" % what
    if returncode >= 0:
        return "%s exited with code %d" % (what, returncode)
    try:
        name = signal.Signals(-returncode).name
    except ValueError:
        name = "signal %d" % -returncode
    hint = " (sent by the system when it runs out of memory, among others)" if -returncode == signal.SIGKILL else ""
    return "%s was killed by %s%s" % (what, name, hint)
