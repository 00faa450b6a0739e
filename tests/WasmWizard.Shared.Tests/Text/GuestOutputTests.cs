using System.Text;
using WasmWizard.Shared.Text;

namespace WasmWizard.Shared.Tests.Text;

public sealed class GuestOutputTests
{
    [Theory]
    [InlineData("€", 1)]
    [InlineData("€", 2)]
    [InlineData("😀", 1)]
    [InlineData("😀", 3)]
    [InlineData("é", 1)]
    public void Truncated_InsideACharacter_StaysTextWithoutThePartialCharacter(string last, int keptBytes)
    {
        var whole = Encoding.UTF8.GetBytes("price: " + last);
        var cut = whole[..(whole.Length - Encoding.UTF8.GetByteCount(last) + keptBytes)];

        var (text, encoding) = GuestOutput.Encode(cut, truncated: true);

        Assert.Equal((GuestOutput.Utf8, "price: "), (encoding, text));
    }

    [Fact]
    public void Truncated_AtACharacterBoundary_KeepsEveryCharacter()
    {
        var (text, encoding) = GuestOutput.Encode(Encoding.UTF8.GetBytes("12 €😀"), truncated: true);

        Assert.Equal((GuestOutput.Utf8, "12 €😀"), (encoding, text));
    }

    [Fact]
    public void NotTruncated_EndingInsideACharacter_IsBase64WithEveryByte()
    {
        byte[] bytes = [.. "price: "u8, 0xE2, 0x82];

        var (text, encoding) = GuestOutput.Encode(bytes);

        Assert.Equal((GuestOutput.Base64, Convert.ToBase64String(bytes)), (encoding, text));
    }

    [Fact]
    public void Truncated_InvalidBeforeTheCut_IsBase64WithEveryByte()
    {
        byte[] bytes = [0xFF, .. "ok "u8, 0xE2, 0x82];

        var (text, encoding) = GuestOutput.Encode(bytes, truncated: true);

        Assert.Equal((GuestOutput.Base64, Convert.ToBase64String(bytes)), (encoding, text));
    }
}
