using System.Reflection;
using Grpc.AspNetCore.Server;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace ScaleBox.Sandbox.Agent.Connect;

/// <summary>
/// Calls one method of a gRPC service implementation the way Grpc.AspNetCore calls it: the
/// service's override of the generated base method, on an instance from the service's activator,
/// behind the interceptors registered with AddGrpc (global ones first, outermost first). So a
/// Connect call meets the same error translation and whatever else those interceptors do.
/// </summary>
internal sealed class ConnectServiceInvoker<TService, TRequest, TResponse>
    where TService : class
    where TRequest : class
    where TResponse : class
{
    readonly MethodType _kind;
    readonly (InterceptorRegistration Registration, Type ActivatorType)[] _interceptors;
    readonly UnaryServerMethod<TService, TRequest, TResponse>? _unary;
    readonly ServerStreamingServerMethod<TService, TRequest, TResponse>? _serverStreaming;
    readonly ClientStreamingServerMethod<TService, TRequest, TResponse>? _clientStreaming;
    readonly DuplexStreamingServerMethod<TService, TRequest, TResponse>? _duplexStreaming;

    public ConnectServiceInvoker(IMethod method, IEnumerable<InterceptorRegistration> interceptors)
    {
        _kind = method.Type;
        _interceptors = interceptors
            .Select(registration => (registration, typeof(IGrpcInterceptorActivator<>).MakeGenericType(registration.Type)))
            .ToArray();
        switch (method.Type)
        {
            case MethodType.Unary:
                _unary = Handler<UnaryServerMethod<TService, TRequest, TResponse>>(
                    method.Name, typeof(TRequest), typeof(ServerCallContext));
                break;
            case MethodType.ServerStreaming:
                _serverStreaming = Handler<ServerStreamingServerMethod<TService, TRequest, TResponse>>(
                    method.Name, typeof(TRequest), typeof(IServerStreamWriter<TResponse>), typeof(ServerCallContext));
                break;
            case MethodType.ClientStreaming:
                _clientStreaming = Handler<ClientStreamingServerMethod<TService, TRequest, TResponse>>(
                    method.Name, typeof(IAsyncStreamReader<TRequest>), typeof(ServerCallContext));
                break;
            case MethodType.DuplexStreaming:
                _duplexStreaming = Handler<DuplexStreamingServerMethod<TService, TRequest, TResponse>>(
                    method.Name, typeof(IAsyncStreamReader<TRequest>), typeof(IServerStreamWriter<TResponse>), typeof(ServerCallContext));
                break;
        }
    }

    /// <summary>
    /// Runs the call in the duplex shape that every kind of method fits: a single request is the
    /// reader's only message, a single response the writer's only message.
    /// </summary>
    /// <param name="services">The request's services, which activate the service and the interceptors.</param>
    public async Task InvokeAsync(
        IAsyncStreamReader<TRequest> requests, IServerStreamWriter<TResponse> responses, ServerCallContext context, IServiceProvider services)
    {
        var serviceActivator = services.GetRequiredService<IGrpcServiceActivator<TService>>();
        GrpcActivatorHandle<TService> service = serviceActivator.Create(services);
        var interceptors = new List<(IGrpcInterceptorActivator Activator, GrpcActivatorHandle<Interceptor> Handle)>(_interceptors.Length);
        try
        {
            foreach ((InterceptorRegistration registration, Type activatorType) in _interceptors)
            {
                var activator = (IGrpcInterceptorActivator)services.GetRequiredService(activatorType);
                interceptors.Add((activator, activator.Create(services, registration)));
            }
            Interceptor[] chain = interceptors.Select(i => i.Handle.Instance).ToArray();

            switch (_kind)
            {
                case MethodType.Unary:
                {
                    TRequest request = await SingleRequestAsync(requests, context.CancellationToken);
                    var call = Intercept<UnaryServerMethod<TRequest, TResponse>>(
                        (r, c) => _unary!(service.Instance, r, c), chain,
                        (interceptor, next) => (r, c) => interceptor.UnaryServerHandler(r, c, next));
                    await responses.WriteAsync(await call(request, context));
                    break;
                }
                case MethodType.ServerStreaming:
                {
                    TRequest request = await SingleRequestAsync(requests, context.CancellationToken);
                    var call = Intercept<ServerStreamingServerMethod<TRequest, TResponse>>(
                        (r, w, c) => _serverStreaming!(service.Instance, r, w, c), chain,
                        (interceptor, next) => (r, w, c) => interceptor.ServerStreamingServerHandler(r, w, c, next));
                    await call(request, responses, context);
                    break;
                }
                case MethodType.ClientStreaming:
                {
                    var call = Intercept<ClientStreamingServerMethod<TRequest, TResponse>>(
                        (s, c) => _clientStreaming!(service.Instance, s, c), chain,
                        (interceptor, next) => (s, c) => interceptor.ClientStreamingServerHandler(s, c, next));
                    await responses.WriteAsync(await call(requests, context));
                    break;
                }
                case MethodType.DuplexStreaming:
                {
                    var call = Intercept<DuplexStreamingServerMethod<TRequest, TResponse>>(
                        (s, w, c) => _duplexStreaming!(service.Instance, s, w, c), chain,
                        (interceptor, next) => (s, w, c) => interceptor.DuplexStreamingServerHandler(s, w, c, next));
                    await call(requests, responses, context);
                    break;
                }
            }
        }
        finally
        {
            for (int i = interceptors.Count - 1; i >= 0; i--)
            {
                await interceptors[i].Activator.ReleaseAsync(interceptors[i].Handle);
            }
            await serviceActivator.ReleaseAsync(service);
        }
    }

    /// <summary>Wraps the handler in the interceptors so that the first one registered runs first.</summary>
    static TDelegate Intercept<TDelegate>(TDelegate handler, Interceptor[] chain, Func<Interceptor, TDelegate, TDelegate> wrap)
    {
        for (int i = chain.Length - 1; i >= 0; i--)
        {
            handler = wrap(chain[i], handler);
        }
        return handler;
    }

    static async Task<TRequest> SingleRequestAsync(IAsyncStreamReader<TRequest> requests, CancellationToken cancellationToken)
    {
        if (!await requests.MoveNext(cancellationToken))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "the request has no message"));
        }
        TRequest request = requests.Current;
        if (await requests.MoveNext(cancellationToken))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "the request has more than one message"));
        }
        return request;
    }

    /// <summary>
    /// The service's public instance method with the generated signature, as an open delegate. For a
    /// method the service does not override it is the generated base's, which answers unimplemented,
    /// as over gRPC.
    /// </summary>
    static TDelegate Handler<TDelegate>(string name, params Type[] parameters) where TDelegate : Delegate =>
        typeof(TService).GetMethod(name, BindingFlags.Public | BindingFlags.Instance, parameters)?.CreateDelegate<TDelegate>()
        ?? throw new InvalidOperationException(
            $"{typeof(TService)} has no method {name}({string.Join(", ", parameters.Select(p => p.Name))}) to serve over Connect.");
}
