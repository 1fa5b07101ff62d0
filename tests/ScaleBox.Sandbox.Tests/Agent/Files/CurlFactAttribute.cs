using System.Diagnostics;
using System.Text;

namespace ScaleBox.Sandbox.Tests.Agent.Files;

/// <summary>A fact that needs curl; skipped, with the reason, where curl is not installed.</summary>
public sealed class CurlFactAttribute : FactAttribute
{
    public CurlFactAttribute()
    {
        if (Curl.Executable is null)
        {
            Skip = "curl is not installed (not found on PATH), so the API documentation's curl examples cannot be checked";
        }
    }
}

/// <summary>Runs curl. Headers go in on stdin (<c>-H @-</c>), so the token never appears on a command line.</summary>
public static class Curl
{
    public static string? Executable { get; } = (Environment.GetEnvironmentVariable("PATH") ?? "")
        .Split(':', StringSplitOptions.RemoveEmptyEntries)
        .Select(dir => Path.Combine(dir, "curl"))
        .FirstOrDefault(File.Exists);

    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(IEnumerable<string> arguments, string headers)
    {
        var start = new ProcessStartInfo(Executable ?? throw new InvalidOperationException("curl is not installed"))
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardInputEncoding = new UTF8Encoding(false),
        };
        start.ArgumentList.Add("-H");
        start.ArgumentList.Add("@-");
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using Process curl = Process.Start(start)!;
        await curl.StandardInput.WriteAsync(headers);
        curl.StandardInput.Close();
        Task<string> output = curl.StandardOutput.ReadToEndAsync();
        Task<string> error = curl.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await curl.WaitForExitAsync(timeout.Token);
        return (curl.ExitCode, await output, await error);
    }
}
