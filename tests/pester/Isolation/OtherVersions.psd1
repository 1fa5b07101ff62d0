# Other versions of the module's dependencies, as another module would load them: older than the
# module's own, so that sharing one load context would fail. In load order. `build.ps1 bootstrap`
# fetches them into .tools/packages; Isolation.Tests.ps1 loads them.
@{
    Packages = @(
        @{ Id = 'Grpc.Core.Api'; Version = '2.65.0'; Assembly = 'lib/netstandard2.1/Grpc.Core.Api.dll' }
        @{ Id = 'Microsoft.Extensions.Logging.Abstractions'; Version = '6.0.0'; Assembly = 'lib/net6.0/Microsoft.Extensions.Logging.Abstractions.dll' }
        @{ Id = 'Grpc.Net.Common'; Version = '2.65.0'; Assembly = 'lib/net8.0/Grpc.Net.Common.dll' }
        @{ Id = 'Grpc.Net.Client'; Version = '2.65.0'; Assembly = 'lib/net8.0/Grpc.Net.Client.dll' }
        @{ Id = 'Google.Protobuf'; Version = '3.21.9'; Assembly = 'lib/net5.0/Google.Protobuf.dll' }
    )
}
