# Run silently in every Python context when it starts, before the formatters that use it. It
# defines how the agent adds a display formatter to IPython: a MIME type, and a function that
# gives the JSON for an object it knows (None for any other). A conversion that fails leaves the
# object's other formats as they are.
def _sbx_add_display_formatter(mime, name, convert):
    from IPython import get_ipython
    from IPython.core.formatters import BaseFormatter
    from traitlets import ObjectName, Unicode

    class Formatter(BaseFormatter):
        format_type = Unicode(mime)
        print_method = ObjectName("_repr_scalebox_%s_" % name)
        _return_type = (dict,)

        # Called for every object rather than registered by type (for_type): IPython pops Figure
        # from every formatter when it selects the inline backend's figure formats.
        def __call__(self, obj):
            if not self.enabled:
                return None
            try:
                return convert(obj)
            except Exception:
                return None

    display = get_ipython().display_formatter
    display.formatters[mime] = Formatter(parent=display)
    if mime not in display.active_types:
        display.active_types.append(mime)
