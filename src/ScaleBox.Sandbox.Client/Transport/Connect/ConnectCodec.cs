using System;
using System.Reflection;
using System.Text;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;

namespace ScaleBox.Sandbox.Client.Transport.Connect;

/// <summary>
/// How messages are written in a Connect body: binary protobuf (what the Python SDK sends) or
/// proto3 canonical JSON (what the JavaScript SDK sends: lowerCamelCase names, enums by name,
/// int64 as strings, bytes in base64, default values left out), named by the content type's suffix.
/// </summary>
internal abstract class ConnectCodec
{
    public static readonly ConnectCodec Proto = new ProtoCodec();
    public static readonly ConnectCodec Json = new JsonCodec();

    /// <summary>The suffix of the content types: <c>application/NAME</c>, <c>application/connect+NAME</c>.</summary>
    public abstract string Name { get; }

    public string UnaryMediaType => "application/" + Name;

    public string StreamingMediaType => "application/connect+" + Name;

    public abstract byte[] Serialize(IMessage message);

    /// <exception cref="RpcException">Internal when the bytes are not a <typeparamref name="T"/>.</exception>
    public T Parse<T>(byte[] data)
    {
        MessageDescriptor descriptor = DescriptorOf<T>.Value;
        try
        {
            return (T)ParseCore(data, descriptor);
        }
        catch (Exception e) when (e is InvalidProtocolBufferException || e is InvalidJsonException || e is DecoderFallbackException)
        {
            throw new RpcException(new Status(StatusCode.Internal,
                $"cannot read the {Name} response as {descriptor.FullName}: {e.Message}", e));
        }
    }

    protected abstract IMessage ParseCore(byte[] data, MessageDescriptor descriptor);

    /// <summary>The generated message class's static <c>Descriptor</c>, looked up once per type.</summary>
    static class DescriptorOf<T>
    {
        public static readonly MessageDescriptor Value =
            typeof(T).GetProperty("Descriptor", BindingFlags.Public | BindingFlags.Static)?.GetValue(null) as MessageDescriptor
            ?? throw new InvalidOperationException($"{typeof(T)} is not a message class generated from a .proto file.");
    }

    sealed class ProtoCodec : ConnectCodec
    {
        public override string Name => "proto";

        public override byte[] Serialize(IMessage message) => message.ToByteArray();

        protected override IMessage ParseCore(byte[] data, MessageDescriptor descriptor) => descriptor.Parser.ParseFrom(data);
    }

    sealed class JsonCodec : ConnectCodec
    {
        // A newer agent may send fields this client does not know yet: skip them, as the official clients do.
        static readonly JsonParser Parser = new JsonParser(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));

        // Invalid UTF-8 makes a malformed body, not text to patch up with replacement characters.
        static readonly UTF8Encoding StrictUtf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

        public override string Name => "json";

        public override byte[] Serialize(IMessage message) => Encoding.UTF8.GetBytes(JsonFormatter.Default.Format(message));

        protected override IMessage ParseCore(byte[] data, MessageDescriptor descriptor) =>
            Parser.Parse(StrictUtf8.GetString(data), descriptor);
    }
}
