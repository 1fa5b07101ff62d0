using System.Linq;
using System.Management.Automation;

namespace ScaleBox.Sandbox.Infrastructure;

/// <summary>
/// -Filter, -Include and -Exclude of the listing cmdlets, as one test on an item's name: it must
/// match the filter and one include pattern (when given), and no exclude pattern.
/// </summary>
internal sealed class NameFilter
{
    readonly WildcardPattern? _filter;
    readonly WildcardPattern[] _include;
    readonly WildcardPattern[] _exclude;

    public NameFilter(string? filter, string[]? include, string[]? exclude)
    {
        _filter = filter is null ? null : Pattern(filter);
        _include = (include ?? new string[0]).Select(Pattern).ToArray();
        _exclude = (exclude ?? new string[0]).Select(Pattern).ToArray();
    }

    public bool IsMatch(string name) =>
        (_filter is null || _filter.IsMatch(name))
        && (_include.Length == 0 || _include.Any(p => p.IsMatch(name)))
        && !_exclude.Any(p => p.IsMatch(name));

    // Case-sensitive, as names are on Linux file systems.
    static WildcardPattern Pattern(string text) => new WildcardPattern(text, WildcardOptions.CultureInvariant);
}
