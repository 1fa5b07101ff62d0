using System.Text;

namespace ScaleBox.Sandbox.Agent.Files;

/// <summary>
/// The lines of the staging journal's log: <c>+ID BASE64</c> when a staging file is about to be
/// created (its path as UTF-8 in base64, since a Linux path may hold a line break), <c>-ID</c> once
/// it is gone or renamed. IDs count up within one agent's run.
/// </summary>
internal static class JournalLine
{
    public static string Opened(long id, string stagingPath) =>
        $"+{id} {Convert.ToBase64String(Encoding.UTF8.GetBytes(stagingPath))}\n";

    public static string Closed(long id) => $"-{id}\n";

    /// <summary>
    /// The paths a log leaves open, in the order they were opened (IDs count up). A line without its
    /// line break, or one that does not read, is skipped: only a crash of the machine mid-write leaves one.
    /// </summary>
    public static IReadOnlyList<string> Replay(string log)
    {
        var open = new SortedDictionary<long, string>();
        string[] lines = log.Split('\n');
        // What follows the last line break is a line whose write never finished.
        foreach (string line in lines.Take(lines.Length - 1))
        {
            int space = line.IndexOf(' ');
            if (line.StartsWith('-') && TryReadId(line[1..], out long closed))
            {
                open.Remove(closed);
            }
            else if (line.StartsWith('+') && space > 1 && TryReadId(line[1..space], out long opened))
            {
                try
                {
                    open[opened] = Encoding.UTF8.GetString(Convert.FromBase64String(line[(space + 1)..]));
                }
                catch (FormatException)
                {
                }
            }
        }
        return open.Values.ToArray();
    }

    static bool TryReadId(string text, out long id) =>
        long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out id);
}
