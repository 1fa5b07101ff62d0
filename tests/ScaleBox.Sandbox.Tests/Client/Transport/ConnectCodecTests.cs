using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using ScaleBox.Sandbox.Client.Transport.Connect;
using ScaleBox.Sandbox.Protocol;

namespace ScaleBox.Sandbox.Tests.Client.Transport;

/// <summary>
/// The client's message codec. Binary parsing, which every gRPC-Web and Connect session's answers
/// go through, must not ask a message class for its descriptor: the first descriptor of a .proto
/// file builds the reflection of every message in it, which made a process's first call compile
/// about a thousand methods more than the call itself needs.
/// </summary>
public sealed class ConnectCodecTests
{
    [Fact]
    public void Binary_answers_are_parsed_by_the_generated_parser_without_the_descriptor()
    {
        byte[] body = new DescriptorCountingMessage { Text = "ready" }.ToByteArray();
        int before = DescriptorCountingMessage.DescriptorReads;

        DescriptorCountingMessage parsed = ConnectCodec.Proto.Parse<DescriptorCountingMessage>(body);

        Assert.Equal("ready", parsed.Text);
        Assert.Equal(before, DescriptorCountingMessage.DescriptorReads);
    }

    [Fact]
    public void A_binary_body_that_is_not_the_message_is_Internal_and_names_the_message()
    {
        var e = Assert.Throws<RpcException>(() => ConnectCodec.Proto.Parse<StatResponse>(new byte[] { 0x0A, 0xFF }));

        Assert.Equal(StatusCode.Internal, e.StatusCode);
        Assert.Contains("proto response as " + StatResponse.Descriptor.FullName, e.Status.Detail);
    }

    [Fact]
    public void Json_answers_are_read_by_the_message_descriptor()
    {
        byte[] body = "{\"entry\":{\"name\":\"a.txt\",\"size\":\"12\",\"unknownField\":1}}"u8.ToArray();

        StatResponse parsed = ConnectCodec.Json.Parse<StatResponse>(body);

        Assert.Equal("a.txt", parsed.Entry.Name);
        Assert.Equal(12, parsed.Entry.Size);
    }

    /// <summary>
    /// A message written by hand as protoc would generate it (one string field, number 1), whose
    /// static <c>Descriptor</c> counts the times it is read; it lends StringValue's descriptor,
    /// which has the same shape.
    /// </summary>
    sealed class DescriptorCountingMessage : IMessage<DescriptorCountingMessage>
    {
        static int _descriptorReads;

        public static int DescriptorReads => Volatile.Read(ref _descriptorReads);

        public static MessageParser<DescriptorCountingMessage> Parser { get; } = new MessageParser<DescriptorCountingMessage>(() => new DescriptorCountingMessage());

        public static MessageDescriptor Descriptor
        {
            get
            {
                Interlocked.Increment(ref _descriptorReads);
                return StringValue.Descriptor;
            }
        }

        MessageDescriptor IMessage.Descriptor => Descriptor;

        public string Text { get; set; } = string.Empty;

        public void MergeFrom(CodedInputStream input)
        {
            uint tag;
            while ((tag = input.ReadTag()) != 0)
            {
                if (tag == 10)
                {
                    Text = input.ReadString();
                }
                else
                {
                    input.SkipLastField();
                }
            }
        }

        public void MergeFrom(DescriptorCountingMessage message) => Text = message.Text;

        public void WriteTo(CodedOutputStream output)
        {
            if (Text.Length > 0)
            {
                output.WriteRawTag(10);
                output.WriteString(Text);
            }
        }

        public int CalculateSize() => Text.Length > 0 ? 1 + CodedOutputStream.ComputeStringSize(Text) : 0;

        public DescriptorCountingMessage Clone() => new DescriptorCountingMessage { Text = Text };

        public bool Equals(DescriptorCountingMessage? other) => other is not null && other.Text == Text;

        public override bool Equals(object? obj) => Equals(obj as DescriptorCountingMessage);

        public override int GetHashCode() => Text.GetHashCode();
    }
}
