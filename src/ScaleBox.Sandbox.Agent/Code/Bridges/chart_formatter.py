# Run silently in every Python context when it starts. It adds a display formatter that turns a
# matplotlib Figure into a chart description (mime type application/vnd.scalebox.chart+json),
# so each displayed figure carries both its png and its chart; the agent maps the latter onto Chart.
def _sbx_install_chart_formatter():
    import math

    def chart_of(obj):
        from matplotlib.figure import Figure
        # A chart that cannot be read still leaves its png.
        return figure_chart(obj) if isinstance(obj, Figure) else None

    def number(value):
        value = float(value)
        return value if math.isfinite(value) else None

    def points(xs, ys):
        out = []
        for x, y in zip(xs, ys):
            try:
                out.append([number(x), number(y)])
            except (TypeError, ValueError):
                out.append([str(x), str(y)])
        return out

    def label_of(artist):
        label = artist.get_label() or ""
        return "" if label.startswith("_") else label  # "_child0" and the like: matplotlib's unnamed

    def axes_chart(ax):
        from matplotlib.collections import PathCollection
        from matplotlib.container import BarContainer
        from matplotlib.patches import Wedge

        chart = {"title": ax.get_title(), "x_label": ax.get_xlabel(), "y_label": ax.get_ylabel(),
                 "x_scale": ax.get_xscale(), "y_scale": ax.get_yscale(), "elements": []}
        bars = [c for c in ax.containers if isinstance(c, BarContainer)]
        wedges = [p for p in ax.patches if isinstance(p, Wedge)]
        scatters = [c for c in ax.collections if isinstance(c, PathCollection)]
        lines = [l for l in ax.get_lines() if not l.get_label().startswith("_")] or ax.get_lines()
        boxes = getattr(ax, "_sbx_boxes", None)
        if boxes:
            chart["type"] = "box_and_whisker"
            for i, b in enumerate(boxes):
                chart["elements"].append({"label": str(b.get("label", i + 1)), "min": number(b["whislo"]),
                                          "first_quartile": number(b["q1"]), "median": number(b["med"]),
                                          "third_quartile": number(b["q3"]), "max": number(b["whishi"]),
                                          "outliers": [number(v) for v in b["fliers"]]})
        elif wedges:
            chart["type"] = "pie"
            texts = [t.get_text() for t in ax.texts]
            for i, w in enumerate(wedges):
                label = w.get_label() or (texts[2 * i] if 2 * i < len(texts) else "")
                chart["elements"].append({"label": label, "angle": w.theta2 - w.theta1, "radius": w.r})
        elif bars:
            chart["type"] = "bar"
            ticks = {round(t, 6): l.get_text() for t, l in zip(ax.get_xticks(), ax.get_xticklabels())}
            for container in bars:
                group = container.get_label() or ""
                for rect in container:
                    x = rect.get_x() + rect.get_width() / 2
                    label = ticks.get(round(x, 6), "") or str(x)
                    chart["elements"].append({"label": label, "group": "" if group.startswith("_") else group,
                                              "value": "%g" % rect.get_height()})
        elif scatters:
            chart["type"] = "scatter"
            for c in scatters:
                offsets = c.get_offsets()
                chart["elements"].append({"label": label_of(c), "points": points(offsets[:, 0], offsets[:, 1])})
        elif lines:
            chart["type"] = "line"
            for line in lines:
                chart["elements"].append({"label": label_of(line),
                                          "points": points(line.get_xdata(), line.get_ydata())})
        else:
            return None
        return chart

    def figure_chart(fig):
        charts = [c for c in (axes_chart(ax) for ax in fig.get_axes()) if c]
        if not charts:
            return None
        if len(charts) == 1:
            return charts[0]
        title = fig._suptitle.get_text() if getattr(fig, "_suptitle", None) else ""
        return {"type": "superchart", "title": title, "elements": charts}

    # A box plot's statistics cannot be read back from its lines reliably; record them as it is drawn.
    from matplotlib import cbook
    from matplotlib.axes import Axes

    drawn = Axes.boxplot

    def boxplot(self, x, *args, **kwargs):
        labels = kwargs.get("tick_labels") or kwargs.get("labels")
        try:
            stats = cbook.boxplot_stats(x, whis=kwargs.get("whis") or 1.5, labels=labels)
            self._sbx_boxes = getattr(self, "_sbx_boxes", []) + stats
        except Exception:
            pass
        return drawn(self, x, *args, **kwargs)

    Axes.boxplot = boxplot

    _sbx_add_display_formatter("application/vnd.scalebox.chart+json", "chart", chart_of)


try:
    _sbx_install_chart_formatter()
except ImportError:
    pass  # no matplotlib: no charts
del _sbx_install_chart_formatter
