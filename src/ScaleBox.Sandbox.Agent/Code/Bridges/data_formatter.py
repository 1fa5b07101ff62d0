# Run silently in every Python context when it starts. It adds a display formatter that gives a
# pandas DataFrame its data as JSON, column name to the list of its values (mime type
# application/vnd.scalebox.data+json), as the reference code interpreter fills a result's "data";
# the agent maps it onto Result.data.
def _sbx_install_data_formatter():
    import json
    from IPython import get_ipython
    from IPython.core.formatters import BaseFormatter
    from traitlets import ObjectName, Unicode

    mime = "application/vnd.scalebox.data+json"

    class DataFormatter(BaseFormatter):
        format_type = Unicode(mime)
        print_method = ObjectName("_repr_scalebox_data_")
        _return_type = (dict,)

        def __call__(self, obj):
            import sys
            pandas = sys.modules.get("pandas")
            if not self.enabled or pandas is None or not isinstance(obj, pandas.DataFrame):
                return None
            try:
                # Through pandas' own JSON writer, so that NaN is null and times are ISO 8601.
                return {str(name): json.loads(obj[name].to_json(orient="values", date_format="iso"))
                        for name in obj.columns}
            except Exception:
                return None  # a frame that cannot be written still has its text and html

    display = get_ipython().display_formatter
    display.formatters[mime] = DataFormatter(parent=display)
    if mime not in display.active_types:
        display.active_types.append(mime)


_sbx_install_data_formatter()
