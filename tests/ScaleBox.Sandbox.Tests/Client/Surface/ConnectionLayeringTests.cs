using System.Reflection;
using ScaleBox.Sandbox.Client.Code;
using ScaleBox.Sandbox.Client.Files;
using ScaleBox.Sandbox.Client.Processes;
using ScaleBox.Sandbox.Client.Transport;
using ScaleBox.Sandbox.Client.Watch;

namespace ScaleBox.Sandbox.Tests.Client.Surface;

/// <summary>
/// The transport (channel, HTTP client, auth, protocol choice) lives in <see cref="SandboxConnection"/>
/// alone; the service clients are built on it and the client only groups them.
/// </summary>
public class ConnectionLayeringTests
{
    const BindingFlags AllInstance = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;

    static IEnumerable<Type> FieldTypes(Type type) => type.GetFields(AllInstance).Select(f => f.FieldType);

    static bool IsTransportType(Type type)
    {
        string assembly = type.Assembly.GetName().Name ?? "";
        return assembly.StartsWith("Grpc.", StringComparison.Ordinal) || type == typeof(HttpClient) || type == typeof(HttpMessageHandler);
    }

    [Theory]
    [InlineData(typeof(SandboxFileSystem))]
    [InlineData(typeof(SandboxProcesses))]
    [InlineData(typeof(SandboxWatchers))]
    [InlineData(typeof(SandboxCode))]
    public void A_service_client_holds_the_connection_not_the_client(Type service)
    {
        Type[] fields = FieldTypes(service).ToArray();

        Assert.Contains(typeof(SandboxConnection), fields);
        Assert.DoesNotContain(typeof(SandboxClient), fields);
    }

    [Fact]
    public void The_client_holds_no_transport_of_its_own()
    {
        Type[] fields = FieldTypes(typeof(SandboxClient)).ToArray();

        Assert.NotEmpty(fields);
        Assert.DoesNotContain(fields, IsTransportType);
        Assert.Contains(FieldTypes(typeof(SandboxConnection)), IsTransportType);
    }

    [Fact]
    public void Disposing_the_client_closes_its_connection()
    {
        var client = new SandboxClient(new SandboxClientOptions(SandboxEndpoint.Parse("127.0.0.1:1"), new AccessToken("t")));

        client.Dispose();

        ObjectDisposedException closed = Assert.Throws<ObjectDisposedException>(() => client.Connection.NewPlainRequest(HttpMethod.Get, "health"));
        Assert.Contains("127.0.0.1:1", closed.Message, StringComparison.Ordinal);
    }
}
