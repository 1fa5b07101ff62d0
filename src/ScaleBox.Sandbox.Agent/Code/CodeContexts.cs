using System.Collections.Concurrent;
using Grpc.Core;
using ScaleBox.Sandbox.Agent.Hosting;

namespace ScaleBox.Sandbox.Agent.Code;

/// <summary>
/// The live code contexts, by id, plus one default context per language for executions that name
/// none (made on first use, in the home directory). Disposed with the host, it shuts every kernel down.
/// </summary>
public sealed class CodeContexts(AgentOptions options) : IAsyncDisposable
{
    readonly ConcurrentDictionary<string, CodeContext> byId = new();
    readonly ConcurrentDictionary<string, Lazy<Task<CodeContext>>> defaults = new();

    public Task<CodeContext> CreateAsync(string language, string cwd, CancellationToken cancel) => CreateAsync(language, cwd, isDefault: false, cancel);

    async Task<CodeContext> CreateAsync(string language, string cwd, bool isDefault, CancellationToken cancel)
    {
        CodeLanguage resolved = CodeLanguage.Resolve(language);
        string directory = string.IsNullOrEmpty(cwd) ? options.Home : cwd;
        if (!Directory.Exists(directory))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"cwd '{directory}' is not a directory"));
        }
        KernelBridge bridge;
        try
        {
            bridge = await KernelBridge.StartAsync(resolved, directory, cancel);
        }
        catch (InvalidOperationException e)
        {
            throw new RpcException(new Status(StatusCode.Internal, e.Message));
        }
        var context = new CodeContext(Guid.NewGuid().ToString("N"), resolved, directory, bridge, isDefault);
        byId[context.Id] = context;
        return context;
    }

    public CodeContext Find(string id) => byId.TryGetValue(id, out CodeContext? context)
        ? context
        : throw new RpcException(new Status(StatusCode.NotFound, $"context {id} not found"));

    /// <summary>
    /// The default context of a language. A failed start is not remembered, so the next call
    /// retries; one whose kernel died (the call it died in was told) is replaced by a new one, as
    /// Jupyter's restarter brings a dead kernel back: nobody made it, so nobody would replace it.
    /// </summary>
    public async Task<CodeContext> DefaultAsync(string language)
    {
        string name = CodeLanguage.Resolve(language).Name;
        while (true)
        {
            Lazy<Task<CodeContext>> made = defaults.GetOrAdd(name, n => new(() => CreateDefaultAsync(n)));
            CodeContext context;
            try
            {
                context = await made.Value;
            }
            catch
            {
                defaults.TryRemove(new KeyValuePair<string, Lazy<Task<CodeContext>>>(name, made));
                throw;
            }
            if (!context.IsDead)
            {
                return context;
            }
            if (defaults.TryRemove(new KeyValuePair<string, Lazy<Task<CodeContext>>>(name, made)) && byId.TryRemove(context.Id, out _))
            {
                await context.DisposeAsync();
            }
        }
    }

    // Default from its start: it is findable by id as soon as it exists.
    Task<CodeContext> CreateDefaultAsync(string language) => CreateAsync(language, "", isDefault: true, CancellationToken.None);

    public async Task DestroyAsync(string id)
    {
        if (!byId.TryRemove(id, out CodeContext? context))
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"context {id} not found"));
        }
        foreach (KeyValuePair<string, Lazy<Task<CodeContext>>> pair in defaults)
        {
            if (pair.Value.IsValueCreated && pair.Value.Value.IsCompletedSuccessfully && pair.Value.Value.Result == context)
            {
                defaults.TryRemove(pair);
            }
        }
        await context.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(byId.Values.Select(c => c.DisposeAsync().AsTask()));
        byId.Clear();
    }
}
