# Run silently in every Python context when it starts. It adds a display formatter that gives a
# pandas DataFrame its data as JSON, column name to the list of its values (mime type
# application/vnd.scalebox.data+json), as the reference code interpreter fills a result's "data";
# the agent maps it onto Result.data.
def _sbx_install_data_formatter():
    import json
    import sys

    def data_of(obj):
        pandas = sys.modules.get("pandas")
        if pandas is None or not isinstance(obj, pandas.DataFrame):
            return None
        # Through pandas' own JSON writer, so that NaN is null and times are ISO 8601.
        return {str(name): json.loads(obj[name].to_json(orient="values", date_format="iso"))
                for name in obj.columns}

    _sbx_add_display_formatter("application/vnd.scalebox.data+json", "data", data_of)


_sbx_install_data_formatter()
