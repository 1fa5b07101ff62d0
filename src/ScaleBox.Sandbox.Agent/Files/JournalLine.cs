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
    /// The paths a log leaves open, in the order they were opened. A line without its line break, or
    /// one that does not read, is skipped: only a crash of the machine mid-write leaves one.
    /// </summary>
    public static IReadOnlyList<string> Replay(string log)
    {
        var open = new Dictionary<long, string>();
        var order = new List<long>();
        string[] lines = log.Split('\n');
        // What follows the last line break is a line whose write never finished.
        foreach (string line in lines.Take(lines.Length - 1))
        {
            if (line.Length < 2 || (line[0] != '+' && line[0] != '-'))
            {
                continue;
            }
            int space = line.IndexOf(' ');
            string idText = line[0] == '+' && space > 0 ? line[1..space] : line[1..];
            if (!long.TryParse(idText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long id))
            {
                continue;
            }
            if (line[0] == '-')
            {
                open.Remove(id);
                continue;
            }
            if (space < 0)
            {
                continue;
            }
            try
            {
                open[id] = Encoding.UTF8.GetString(Convert.FromBase64String(line[(space + 1)..]));
                order.Add(id);
            }
            catch (FormatException)
            {
            }
        }
        return order.Where(open.ContainsKey).Distinct().Select(id => open[id]).ToArray();
    }
}
