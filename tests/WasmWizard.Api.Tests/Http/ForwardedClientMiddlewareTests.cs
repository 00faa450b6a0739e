using System.Net;
using WasmWizard.Api.Http;

namespace WasmWizard.Api.Tests.Http;

/// <summary>
/// Which <c>X-Forwarded-For</c> entry names the client: the one the outermost trusted proxy wrote, whatever the
/// client put in front of it.
/// </summary>
public sealed class ForwardedClientMiddlewareTests
{
    [Theory]
    [InlineData("198.51.100.7, 10.244.3.9", 2, "198.51.100.7")]
    [InlineData("6.6.6.6, 7.7.7.7, 198.51.100.7, 10.244.3.9", 2, "198.51.100.7")]
    [InlineData("6.6.6.6, 198.51.100.7, 192.0.2.1, 10.244.3.9", 3, "198.51.100.7")]
    [InlineData("10.244.3.9", 2, "10.244.3.9")]
    [InlineData("198.51.100.7:51234, 10.244.3.9", 2, "198.51.100.7")]
    [InlineData("[2001:db8::7]:443, 10.244.3.9", 2, "2001:db8::7")]
    [InlineData("2001:db8::7, 10.244.3.9", 2, "2001:db8::7")]
    public void ClientOf_OneHeader_TheEntryHopsFromTheRight(string header, int hops, string client)
    {
        Assert.Equal(IPAddress.Parse(client), ForwardedClientMiddleware.ClientOf([header], hops));
    }

    [Fact]
    public void ClientOf_SeveralHeaderLines_ReadAsOneListInOrder()
    {
        // A sidecar adds its address as a header line of its own, after the line the ingress controller sent.
        var client = ForwardedClientMiddleware.ClientOf(["6.6.6.6, 198.51.100.7", "10.244.3.9"], 2);

        Assert.Equal(IPAddress.Parse("198.51.100.7"), client);
    }

    [Theory]
    [InlineData("6.6.6.6, unknown, 10.244.3.9")]
    [InlineData("")]
    [InlineData(" , ")]
    public void ClientOf_NoAddressWhereTheClientShouldBe_Null(string header)
    {
        Assert.Null(ForwardedClientMiddleware.ClientOf([header], 2));
    }
}
