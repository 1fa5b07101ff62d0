using System.Net;
using System.Net.Sockets;

namespace ScaleBox.Sandbox.Tests.Infrastructure;

/// <summary>
/// A loopback port that nothing listens on: bound to learn a free number, then closed, so a
/// connection attempt is refused at once. Never another host: tests only ever target 127.0.0.1.
/// </summary>
public static class ClosedPort
{
    public static int Find()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
