using WasmWizard.Audit.Storage;

namespace WasmWizard.Audit.Tests.Storage;

/// <summary>The signed page cursor.</summary>
public sealed class AuditCursorTests
{
    [Theory]
    [InlineData(0L)]
    [InlineData(1L)]
    [InlineData(long.MaxValue)]
    public void Encode_ThenDecode_SamePosition(long sequence)
    {
        var cursor = new AuditCursor(AuditCursor.NewKey());

        Assert.Equal(sequence, cursor.Decode(cursor.Encode(sequence)));
    }

    [Fact]
    public void Decode_OtherKeyOrAnyChangedCharacter_Refused()
    {
        var key = AuditCursor.NewKey();
        var text = new AuditCursor(key).Encode(42);

        Assert.Throws<ArgumentException>(() => new AuditCursor(AuditCursor.NewKey()).Decode(text));
        for (var i = 0; i < text.Length; i++)
        {
            var changed = text[..i] + (text[i] == 'x' ? 'y' : 'x') + text[(i + 1)..];
            Assert.Throws<ArgumentException>(() => new AuditCursor(key).Decode(changed));
        }

        Assert.Throws<ArgumentException>(() => new AuditCursor(key).Decode(text + "A"));
        Assert.Throws<ArgumentException>(() => new AuditCursor(key).Decode(new string('A', 10_000)));
    }

    [Fact]
    public void New_KeyOfWrongLength_Refused() =>
        Assert.Throws<ArgumentException>(() => new AuditCursor(new byte[16]));
}
