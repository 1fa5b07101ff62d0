using System.Reflection;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Microsoft.Extensions.Options;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;

namespace ScaleBox.Sandbox.Agent.Connect;

/// <summary>One RPC method served over Connect, at its path <c>/package.Service/Method</c>.</summary>
internal abstract class ConnectMethod(IMethod method)
{
    public string Path => method.FullName;

    /// <summary>Unary methods take Connect's unary shape; every other kind the streaming one.</summary>
    public bool IsStreaming => method.Type != MethodType.Unary;

    public abstract Task HandleAsync(HttpContext http, ConnectContentType contentType);

    /// <summary>The Connect side of a method mapped with MapGrpcService, described by its endpoint metadata.</summary>
    public static ConnectMethod For(GrpcMethodMetadata grpc, IServiceProvider services)
    {
        // Grpc.AspNetCore describes every method as a Method<TRequest, TResponse>.
        Type[] messageTypes = grpc.Method.GetType().GetGenericArguments();
        Type type = typeof(ConnectMethod<,,>).MakeGenericType(grpc.ServiceType, messageTypes[0], messageTypes[1]);
        return (ConnectMethod)Activator.CreateInstance(type, grpc.Method, services)!;
    }
}

internal sealed class ConnectMethod<TService, TRequest, TResponse> : ConnectMethod
    where TService : class
    where TRequest : class, IMessage
    where TResponse : class, IMessage
{
    readonly MessageDescriptor _requestDescriptor;
    readonly ConnectServiceInvoker<TService, TRequest, TResponse> _invoker;
    readonly int _maxReceiveMessageSize;
    readonly bool _detailedErrors;
    readonly ILogger _logger;

    public ConnectMethod(IMethod method, IServiceProvider services) : base(method)
    {
        _requestDescriptor = GeneratedServiceDescriptor().FindMethodByName(method.Name)?.InputType
            ?? throw new InvalidOperationException($"The descriptor of {typeof(TService)} has no method {method.Name}.");

        // The same settings Grpc.AspNetCore applies to the method: its service's own, else the global ones.
        GrpcServiceOptions global = services.GetRequiredService<IOptions<GrpcServiceOptions>>().Value;
        GrpcServiceOptions<TService> own = services.GetRequiredService<IOptions<GrpcServiceOptions<TService>>>().Value;
        _invoker = new ConnectServiceInvoker<TService, TRequest, TResponse>(method, global.Interceptors.Concat(own.Interceptors));
        _maxReceiveMessageSize = own.MaxReceiveMessageSize ?? global.MaxReceiveMessageSize ?? int.MaxValue;
        _detailedErrors = own.EnableDetailedErrors ?? global.EnableDetailedErrors ?? false;
        _logger = services.GetRequiredService<ILoggerFactory>().CreateLogger<ConnectMethod>();
    }

    public override async Task HandleAsync(HttpContext http, ConnectContentType contentType)
    {
        using var deadline = new CancellationTokenSource();
        using var callCancellation = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, deadline.Token);
        ConnectExchange<TRequest, TResponse> exchange =
            ConnectExchange<TRequest, TResponse>.Create(http, contentType, _requestDescriptor, _maxReceiveMessageSize, callCancellation.Token);
        try
        {
            ConnectRequestHeaders headers;
            try
            {
                headers = ConnectRequestHeaders.Read(http.Request);
            }
            catch (RpcException e)
            {
                await exchange.FinishAsync(e.Status, []);
                return;
            }

            var context = new ConnectServerCallContext(http, Path, headers, callCancellation.Token);
            if (headers.Timeout is { } timeout)
            {
                deadline.CancelAfter(timeout);
            }

            Task call = RunAsync(exchange, context, http.RequestServices, deadline.Token);
            try
            {
                await call.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
                // The answer goes out at the deadline even if the handler ignores its cancelled token.
                // The handler may still be running, and the HttpContext it uses must outlive it.
                await exchange.FinishAsync(DeadlineExceeded(), context.ResponseTrailers);
                await call;
            }
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The client has gone: there is no one left to answer.
        }
    }

    async Task RunAsync(ConnectExchange<TRequest, TResponse> exchange, ConnectServerCallContext context, IServiceProvider services, CancellationToken deadline)
    {
        Status status;
        try
        {
            await _invoker.InvokeAsync(exchange.Requests, exchange.Responses, context, services);
            // A handler may report failure by setting the status instead of throwing, as gRPC allows.
            status = context.Status.StatusCode == StatusCode.OK ? Status.DefaultSuccess : context.Status;
        }
        catch (Exception e)
        {
            status = FailureStatus(e, context, deadline);
        }
        await exchange.FinishAsync(status, context.ResponseTrailers);
    }

    /// <summary>The status of a call whose handler threw.</summary>
    Status FailureStatus(Exception exception, ServerCallContext context, CancellationToken deadline)
    {
        if (deadline.IsCancellationRequested)
        {
            // Whatever the handler ended with (usually "cancelled") is the deadline's consequence.
            return DeadlineExceeded();
        }
        if (exception is RpcException rpc)
        {
            foreach (Metadata.Entry trailer in rpc.Trailers)
            {
                context.ResponseTrailers.Add(trailer);
            }
            return rpc.Status;
        }

        // Nothing (the interceptors included) turned it into a status: a bug worth a line in the log,
        // and "unknown" for the client, worded as Grpc.AspNetCore words it so both protocols agree.
        _logger.LogError(exception, "The handler of {Method} failed over Connect.", Path);
        return new Status(StatusCode.Unknown, _detailedErrors
            ? $"Exception was thrown by handler. {exception.GetType().Name}: {exception.Message}"
            : "Exception was thrown by handler.", exception);
    }

    static Status DeadlineExceeded() => new(StatusCode.DeadlineExceeded, "the call's deadline (Connect-Timeout-Ms) has passed");

    /// <summary>
    /// The generated descriptor of the service: the generator marks each service base class with the
    /// class that binds it, whose static <c>Descriptor</c> it is (gRPC server reflection finds it the same way).
    /// </summary>
    static ServiceDescriptor GeneratedServiceDescriptor()
    {
        BindServiceMethodAttribute? binding = typeof(TService).GetCustomAttribute<BindServiceMethodAttribute>(inherit: true);
        return binding?.BindType.GetProperty("Descriptor", BindingFlags.Public | BindingFlags.Static)?.GetValue(null) as ServiceDescriptor
            ?? throw new InvalidOperationException(
                $"{typeof(TService)} does not derive from a service base class generated from a .proto file, so Connect cannot read its messages.");
    }
}
