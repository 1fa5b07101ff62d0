using System.Text;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;

namespace ScaleBox.Sandbox.Agent.Connect;

/// <summary>
/// How messages are written in a Connect body: proto3 canonical JSON (what the JS SDK sends) or
/// binary protobuf (what the Python SDK sends), named by the content type's suffix.
/// </summary>
internal abstract class ConnectCodec
{
    public static readonly ConnectCodec Json = new JsonCodec();
    public static readonly ConnectCodec Proto = new ProtoCodec();

    public abstract string Name { get; }

    public static ConnectCodec? Find(string? name) =>
        string.Equals(name, Json.Name, StringComparison.OrdinalIgnoreCase) ? Json
        : string.Equals(name, Proto.Name, StringComparison.OrdinalIgnoreCase) ? Proto
        : null;

    /// <exception cref="RpcException">invalid_argument when the bytes are not a <paramref name="descriptor"/> message.</exception>
    public IMessage Parse(ReadOnlyMemory<byte> data, MessageDescriptor descriptor)
    {
        try
        {
            return ParseCore(data.Span, descriptor);
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or InvalidJsonException or DecoderFallbackException)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument,
                $"cannot read the {Name} body as {descriptor.FullName}: {e.Message}"));
        }
    }

    public abstract byte[] Serialize(IMessage message);

    protected abstract IMessage ParseCore(ReadOnlySpan<byte> data, MessageDescriptor descriptor);

    sealed class JsonCodec : ConnectCodec
    {
        // Unknown fields are skipped, as by connect-go: a newer client may send fields this agent does not know yet.
        static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));

        // Invalid UTF-8 makes a malformed body, not text to patch up with replacement characters.
        static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

        public override string Name => "json";

        protected override IMessage ParseCore(ReadOnlySpan<byte> data, MessageDescriptor descriptor) =>
            Parser.Parse(StrictUtf8.GetString(data), descriptor);

        // The default formatter writes proto3 canonical JSON: lowerCamelCase names, enums by name,
        // int64 as strings, bytes in base64, Timestamps in RFC 3339, default values left out.
        public override byte[] Serialize(IMessage message) => Encoding.UTF8.GetBytes(JsonFormatter.Default.Format(message));
    }

    sealed class ProtoCodec : ConnectCodec
    {
        public override string Name => "proto";

        protected override IMessage ParseCore(ReadOnlySpan<byte> data, MessageDescriptor descriptor) =>
            descriptor.Parser.ParseFrom(data);

        public override byte[] Serialize(IMessage message) => message.ToByteArray();
    }
}
