using System;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;

// A stat through other versions of Grpc.Net.Client and Google.Protobuf than the module's, loaded by
// another party into PowerShell's default load context. The messages are written and read by hand
// (StatRequest { path = 1 }, StatResponse { entry = 1 { name = 1 } }) so the probe shares nothing
// with the module.
public static class OtherGrpcProbe
{
    public static string ProtobufVersion
    {
        get { return typeof(IMessage).Assembly.GetName().Version.ToString(); }
    }

    public static string GrpcVersion
    {
        get { return typeof(GrpcChannel).Assembly.GetName().Version.ToString(); }
    }

    public static string StatName(string address, string token, string path)
    {
        Marshaller<byte[]> bytes = Marshallers.Create<byte[]>(b => b, b => b);
        var stat = new Method<byte[], byte[]>(MethodType.Unary, "sandboxagent.Filesystem", "Stat", bytes, bytes);
        using (GrpcChannel channel = GrpcChannel.ForAddress(address))
        {
            byte[] request = new Google.Protobuf.WellKnownTypes.StringValue { Value = path }.ToByteArray();
            var headers = new Metadata { { "X-Access-Token", token } };
            byte[] response = channel.CreateCallInvoker().BlockingUnaryCall(stat, null, new CallOptions(headers), request);
            byte[] entry = Field(response, 1).ToByteArray();
            return Field(entry, 1).ToStringUtf8();
        }
    }

    static ByteString Field(byte[] message, int number)
    {
        var input = new CodedInputStream(message);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == number)
            {
                return input.ReadBytes();
            }
            input.SkipLastField();
        }
        throw new InvalidOperationException("Field " + number + " is missing.");
    }
}
