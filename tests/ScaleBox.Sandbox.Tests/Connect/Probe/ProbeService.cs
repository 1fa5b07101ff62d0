using System.Diagnostics;
using Grpc.Core;

namespace ScaleBox.Sandbox.Tests.Connect.Probe;

/// <summary>The probe's behaviour: each method does what its request asks, so tests can steer it.</summary>
public sealed class ProbeService : Probe.ProbeBase
{
    public const string TrailerKey = "probe-trailer";

    public override async Task<WaitResponse> Wait(WaitRequest request, ServerCallContext context)
    {
        if (request.FailUnexpectedly)
        {
            throw new InvalidOperationException("the probe was asked to fail");
        }
        var watch = Stopwatch.StartNew();
        await Task.Delay(request.Milliseconds, request.IgnoreCancellation ? CancellationToken.None : context.CancellationToken);
        return new WaitResponse { WaitedMilliseconds = (int)watch.ElapsedMilliseconds };
    }

    public override async Task Count(CountRequest request, IServerStreamWriter<Number> responseStream, ServerCallContext context)
    {
        for (int i = 1; i <= request.Count; i++)
        {
            await responseStream.WriteAsync(new Number { Value = i });
        }
        context.ResponseTrailers.Add(TrailerKey, $"counted {request.Count}");
        if (request.ThenWait)
        {
            await Task.Delay(Timeout.Infinite, context.CancellationToken);
        }
        if (request.FailWith != 0)
        {
            throw new RpcException(new Status((StatusCode)request.FailWith, $"failed after {request.Count}"));
        }
    }

    public override async Task<Number> Sum(IAsyncStreamReader<Number> requestStream, ServerCallContext context)
    {
        long total = 0;
        while (await requestStream.MoveNext(context.CancellationToken))
        {
            total += requestStream.Current.Value;
        }
        return new Number { Value = total };
    }

    public override async Task Double(IAsyncStreamReader<Number> requestStream, IServerStreamWriter<Number> responseStream, ServerCallContext context)
    {
        while (await requestStream.MoveNext(context.CancellationToken))
        {
            await responseStream.WriteAsync(new Number { Value = requestStream.Current.Value * 2 });
        }
    }
}
