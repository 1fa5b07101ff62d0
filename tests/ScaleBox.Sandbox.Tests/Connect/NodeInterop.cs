using System.Diagnostics;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace ScaleBox.Sandbox.Tests.Connect;

/// <summary>
/// Runs tests/interop/connect-client.mjs, which calls a server with the official Connect client for
/// Node. Its packages are installed once by hand (<c>npm ci</c> in tests/interop), never at test time.
/// </summary>
public static class NodeInterop
{
    static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(60);

    /// <summary>tests/interop of this repository, found from the test assembly's folder upwards.</summary>
    public static string? Folder { get; } = FindFolder();

    /// <summary>Why the interop tests cannot run here, or null when they can.</summary>
    public static string? MissingPrerequisite { get; } =
        Folder is null ? "tests/interop was not found above the test assembly"
        : !Directory.Exists(Path.Combine(Folder, "node_modules")) ? $"the Connect client for Node is not installed: run `npm ci` in {Folder}"
        : FindOnPath("node") is null ? "node is not on PATH"
        : null;

    /// <summary>Runs one scenario of the script against <paramref name="baseAddress"/> and returns what it printed.</summary>
    /// <param name="protocol">The file of the services the scenario calls; the script gets it with its imports as a FileDescriptorSet.</param>
    public static async Task<JsonElement> RunAsync(string scenario, Uri baseAddress, FileDescriptor protocol, object arguments)
    {
        string descriptorSet = Path.Combine(Path.GetTempPath(), $"sbx-interop-{Guid.NewGuid():N}.binpb");
        await File.WriteAllBytesAsync(descriptorSet, DescriptorSet(protocol).ToByteArray());
        try
        {
            return await RunScriptAsync("connect-client.mjs", scenario, baseAddress.GetLeftPart(UriPartial.Authority), descriptorSet, JsonSerializer.Serialize(arguments));
        }
        finally
        {
            File.Delete(descriptorSet);
        }
    }

    /// <summary>Runs a script of tests/interop with its arguments and parses the JSON it printed.</summary>
    public static async Task<JsonElement> RunScriptAsync(string script, params string[] arguments)
    {
        var start = new ProcessStartInfo(FindOnPath("node")!)
        {
            WorkingDirectory = Folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(script);
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using Process node = Process.Start(start)!;
        Task<string> output = node.StandardOutput.ReadToEndAsync();
        Task<string> errors = node.StandardError.ReadToEndAsync();
        try
        {
            await node.WaitForExitAsync().WaitAsync(RunTimeout);
        }
        catch (TimeoutException)
        {
            node.Kill(); // only the node process this method started
            throw new TimeoutException($"{script} {arguments.FirstOrDefault()} ran for more than {RunTimeout}.");
        }
        if (node.ExitCode != 0)
        {
            throw new InvalidOperationException($"{script} {arguments.FirstOrDefault()} exited with {node.ExitCode}:\n{await errors}");
        }
        return JsonDocument.Parse(await output).RootElement;
    }

    static FileDescriptorSet DescriptorSet(FileDescriptor file)
    {
        var set = new FileDescriptorSet();
        var added = new HashSet<string>(StringComparer.Ordinal);
        void Add(FileDescriptor descriptor)
        {
            foreach (FileDescriptor dependency in descriptor.Dependencies)
            {
                Add(dependency);
            }
            if (added.Add(descriptor.Name))
            {
                FileDescriptorProto proto = FileDescriptorProto.Parser.ParseFrom(descriptor.SerializedData);
                AddJsonNames(proto.MessageType);
                set.File.Add(proto);
            }
        }
        Add(file);
        return set;
    }

    /// <summary>
    /// protoc writes each field's json_name into the descriptor sets it produces, and protobuf-es
    /// relies on it; the descriptors embedded in generated C# leave it out. protoc's rule: drop each
    /// underscore and capitalise the letter after it.
    /// </summary>
    static void AddJsonNames(IEnumerable<DescriptorProto> messages)
    {
        foreach (DescriptorProto message in messages)
        {
            foreach (FieldDescriptorProto field in message.Field.Where(f => !f.HasJsonName))
            {
                var jsonName = new System.Text.StringBuilder(field.Name.Length);
                bool capitalise = false;
                foreach (char c in field.Name)
                {
                    if (c == '_')
                    {
                        capitalise = true;
                        continue;
                    }
                    jsonName.Append(capitalise ? char.ToUpperInvariant(c) : c);
                    capitalise = false;
                }
                field.JsonName = jsonName.ToString();
            }
            AddJsonNames(message.NestedType);
        }
    }

    static string? FindFolder()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ScaleBox.Sandbox.slnx")))
            {
                string folder = Path.Combine(dir.FullName, "tests", "interop");
                return Directory.Exists(folder) ? folder : null;
            }
        }
        return null;
    }

    static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, program))
            .FirstOrDefault(File.Exists);
}

/// <summary>A fact that is skipped, saying why, where the Connect client for Node is not installed.</summary>
public sealed class NodeInteropFactAttribute : FactAttribute
{
    public NodeInteropFactAttribute()
    {
        if (NodeInterop.MissingPrerequisite is { } missing)
        {
            Skip = missing;
        }
    }
}
