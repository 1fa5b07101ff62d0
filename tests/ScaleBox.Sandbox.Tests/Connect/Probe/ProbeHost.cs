using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ScaleBox.Sandbox.Agent.Connect;
using ScaleBox.Sandbox.Agent.Hosting;

namespace ScaleBox.Sandbox.Tests.Connect.Probe;

/// <summary>
/// The probe service hosted as the agent hosts its services (AddGrpc with the agent's interceptor,
/// MapGrpcService, UseConnect), on an HTTP/1.1 loopback port picked by the OS.
/// </summary>
public sealed class ProbeHost : IAsyncLifetime
{
    WebApplication? _app;

    public Uri Address { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http1));
        builder.Services.AddGrpc(grpc => grpc.Interceptors.Add<ErrorTranslationInterceptor>());

        _app = builder.Build();
        _app.UseConnect();
        _app.MapGrpcService<ProbeService>();
        await _app.StartAsync();
        Address = new Uri(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
