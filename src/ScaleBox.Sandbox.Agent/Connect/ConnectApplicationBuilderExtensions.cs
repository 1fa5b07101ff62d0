namespace ScaleBox.Sandbox.Agent.Connect;

public static class ConnectApplicationBuilderExtensions
{
    /// <summary>
    /// Serves every gRPC service mapped with MapGrpcService over the Connect protocol too (unary
    /// and streaming, JSON and binary), as the real agent's connect-go server does. Call it before
    /// UseGrpcWeb; requests that are not Connect pass on untouched.
    /// </summary>
    public static IApplicationBuilder UseConnect(this IApplicationBuilder app) => app.UseMiddleware<ConnectMiddleware>();
}
