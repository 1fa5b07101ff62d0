using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using ScaleBox.Sandbox.Agent.Auth;
using ScaleBox.Sandbox.Agent.Code;
using ScaleBox.Sandbox.Agent.Connect;
using ScaleBox.Sandbox.Agent.Files;
using ScaleBox.Sandbox.Agent.Filesystem;
using AgentHttpRoutes = ScaleBox.Sandbox.Protocol.AgentHttpRoutes;

namespace ScaleBox.Sandbox.Agent.Hosting;

/// <summary>Builds and runs the web host: loopback endpoints, auth, and the RPC services.</summary>
public static class AgentHost
{
    public static async Task<int> RunAsync(string[] args)
    {
        AgentOptions options;
        try
        {
            options = AgentOptions.Parse(args, Environment.GetEnvironmentVariable);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }

        await using WebApplication app = Build(options);
        await app.StartAsync();

        // The first stdout line is a contract: scripts and tests read the port from it.
        Uri[] bound = BoundAddresses(app);
        Console.Out.WriteLine($"Listening on {bound[0].GetLeftPart(UriPartial.Authority)}");
        Console.Out.WriteLine($"gRPC over HTTP/2 (prior knowledge), and HTTP/1.1, on {bound[1].GetLeftPart(UriPartial.Authority)}");
        Console.Out.WriteLine($"Home {options.Home}");
        if (options.TokenGenerated)
        {
            Console.Out.WriteLine($"Access token {options.AccessToken}");
        }
        Console.Out.Flush();

        await app.WaitForShutdownAsync();
        if (options.HomeGenerated)
        {
            // A home the agent made up is scratch space; one given with --home is the user's.
            try { Directory.Delete(options.Home, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
        return 0;
    }

    public static WebApplication Build(AgentOptions options)
    {
        // No watching of configuration files: the host would watch its content root (the folder it
        // is started from) for changes, and a large one (a repository, a home) would cost one
        // inotify watch per subfolder out of the user's limit. The agent reads no such file anyway.
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
            ContentRootPath = AppContext.BaseDirectory,
        });

        // Logs go to stderr so that stdout stays a clean, machine-readable announcement.
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = null; // uploads are streamed, whatever their size
            // The longest path the agent takes (4096 bytes) is a URL of 12 KiB once percent-encoded,
            // as any non-ASCII name is. Kestrel's default request line (8 KiB; HTTP/2's :path too)
            // would refuse a download the real agent (Go's net/http: 1 MB of headers) serves.
            kestrel.Limits.MaxRequestLineSize = 32 * 1024;
            // HTTP/2 flow control sized for bulk data: with Kestrel's defaults (1 MiB per connection,
            // 768 KiB per stream) an upload on the HTTP/2 port waits for window updates every few
            // hundred KiB and runs at about half the HTTP/1.1 rate.
            kestrel.Limits.Http2.InitialConnectionWindowSize = 16 * 1024 * 1024;
            kestrel.Limits.Http2.InitialStreamWindowSize = 8 * 1024 * 1024;
            // A client busy with what it already got (hundreds of streams in one pwsh, a paused
            // pipeline) reads slowly for a while: that is backpressure, not an attack on a sandbox's
            // own agent, and must not cut its streams (Kestrel's default aborts below 240 B/s).
            kestrel.Limits.MinResponseDataRate = null;
            // Nor may a request body that comes slowly be cut (Kestrel's default: under 240 B/s after
            // 5 s): an upload from a slow source, or a Connect input stream (Process/StreamInput) that
            // is quiet while its user is. The real agent, a Go server, has no such minimum.
            kestrel.Limits.MinRequestBodyDataRate = null;
            // The second port speaks cleartext HTTP/2 and HTTP/1.1 both, as the real agent's one port.
            var sniffer = new CleartextProtocolSniffer();
            kestrel.Listen(IPAddress.Loopback, options.Port, o =>
            {
                o.Protocols = HttpProtocols.Http1;
                o.Use(sniffer.TakeHttp1);
            });
            kestrel.Listen(IPAddress.Loopback, options.Http2Port, o =>
            {
                o.Protocols = HttpProtocols.Http2;
                o.Use(sniffer.Dispatch);
            });
        });

        // Kestrel's default waits for each read with a zero-byte receive before taking a buffer:
        // it saves memory on thousands of idle connections, and costs a system call per 4 KiB of
        // an upload on the few busy ones an agent has.
        builder.WebHost.UseSockets(sockets => sockets.WaitForDataBeforeAllocatingBuffer = false);
        builder.Services.AddSingleton<Microsoft.AspNetCore.Connections.IMemoryPoolFactory<byte>, LargeBlockMemoryPool.Factory>();

        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<PathResolver>();
        builder.Services.AddSingleton<StagingJournal>();
        builder.Services.AddSingleton<EntryInfoReader>();
        builder.Services.AddSingleton<Processes.ProcessTable>();
        builder.Services.AddSingleton<Watch.WatcherRegistry>();
        builder.Services.AddSingleton<CodeContexts>();
        builder.Services.AddGrpc(grpc =>
        {
            grpc.EnableDetailedErrors = true;
            grpc.Interceptors.Add<ErrorTranslationInterceptor>();
        });

        WebApplication app = builder.Build();
        // Made now, not on the first upload: starting is when a crashed run's staging files are swept.
        app.Services.GetRequiredService<StagingJournal>();
        app.UseMiddleware<AccessTokenMiddleware>();
        // The official SDKs speak Connect; gRPC and gRPC-Web requests go on to Grpc.AspNetCore.
        app.UseConnect();
        app.UseGrpcWeb(new GrpcWebOptions { DefaultEnabled = true });

        // Plain HTTP: no auth, and never cached, as the real agent.
        app.MapGet("/" + AgentHttpRoutes.Health, (HttpResponse response) =>
        {
            response.Headers.CacheControl = "no-store";
            return Results.Text("OK");
        });
        // Plain HTTP: header token or signed URL (checked by AccessTokenMiddleware).
        app.MapFileEndpoints();
        app.MapGrpcService<FilesystemService>();
        app.MapGrpcService<Processes.ProcessService>();
        app.MapGrpcService<ExecutionService>();
        app.MapGrpcService<ContextService>();
        return app;
    }

    static Uri[] BoundAddresses(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!
            .Addresses.Select(a => new Uri(a)).ToArray();
}
