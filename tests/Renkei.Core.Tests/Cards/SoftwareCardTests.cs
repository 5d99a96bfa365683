using System.Security.Cryptography;
using System.Text;
using Renkei.Core.Cards;
using Renkei.Core.Crypto;
using Renkei.Core.Numbers;
using Renkei.Core.People;

namespace Renkei.Core.Tests.Cards;

/// <summary>The software card's PIN state machine, key protection and data, on an in-memory medium.</summary>
public sealed class SoftwareCardTests : IDisposable
{
    private const string UserPin = "4821";
    private const string SigningPin = "RENKEI2026";
    private const string TextPin = "7302";
    private const string RegistryPin = "5519";

    private static readonly IndividualNumber Number = IndividualNumber.Parse("123456789018").Value;
    private static readonly ResidentCode Code = ResidentCode.FromBody(4_711_000_123);

    private readonly ECDiffieHellman _issuerUnlock = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsa _jlisDataKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly InMemoryCardMedium _medium = new();

    public void Dispose()
    {
        _issuerUnlock.Dispose();
        _jlisDataKey.Dispose();
    }

    private static CardPin Pin(CardPinKind kind, string text) => CardPin.Parse(kind, text);

    private SoftwareCard NewCard(bool withSigning = true)
    {
        var birth = new DateOnly(1980, 1, 15);
        var face = new CardFace("番号 花子", "東京都品川区広町2-1-36", birth, Sex.Female, new DateOnly(2026, 1, 5), new DateOnly(2036, 1, 15),
            LocalGovernmentCode.ParseOrThrow("131091"), null);
        var textEntry = TextEntrySupportData.Sign(_jlisDataKey, Number, face.Name, face.Address, birth, Sex.Female);
        var pins = new CardPinSet(Pin(CardPinKind.UserAuthentication, UserPin),
            withSigning ? Pin(CardPinKind.Signing, SigningPin) : null,
            Pin(CardPinKind.TextEntrySupport, TextPin), Pin(CardPinKind.ResidentRegistry, RegistryPin));
        return SoftwareCard.Create(_medium, CardNumber.NewRandom(), face, textEntry, Code, pins, _issuerUnlock.ExportSubjectPublicKeyInfo());
    }

    [Fact]
    public void Three_wrong_user_pins_lock_user_authentication_and_the_right_pin_is_refused_afterwards()
    {
        var card = NewCard();
        var wrong = Pin(CardPinKind.UserAuthentication, "0000");

        var first = Assert.Throws<CardPinException>(() => card.Sign(wrong, "challenge"u8));
        Assert.Equal(2, first.RemainingAttempts);
        Assert.Equal("wrong-pin", first.Code);
        Assert.Equal(1, Assert.Throws<CardPinException>(() => card.Sign(wrong, "challenge"u8)).RemainingAttempts);
        var third = Assert.Throws<CardPinException>(() => card.Sign(wrong, "challenge"u8));
        Assert.True(third.Locked);

        var afterwards = Assert.Throws<CardPinException>(() => card.Sign(Pin(CardPinKind.UserAuthentication, UserPin), "challenge"u8));
        Assert.Equal("pin-locked", afterwards.Code);

        // The counter lives in the card itself: another program opening it sees the lock.
        var reopened = SoftwareCard.Open(_medium);
        Assert.True(reopened.IsLocked(CardPinKind.UserAuthentication));
        Assert.False(reopened.IsLocked(CardPinKind.Signing));
        Assert.Throws<CardPinException>(() => reopened.VerifyPin(Pin(CardPinKind.UserAuthentication, UserPin)));
    }

    [Fact]
    public void A_right_pin_resets_the_counter()
    {
        var card = NewCard();
        Assert.Throws<CardPinException>(() => card.VerifyPin(Pin(CardPinKind.UserAuthentication, "1111")));
        Assert.Throws<CardPinException>(() => card.VerifyPin(Pin(CardPinKind.UserAuthentication, "2222")));
        Assert.Equal(1, card.RemainingAttempts(CardPinKind.UserAuthentication));

        card.VerifyPin(Pin(CardPinKind.UserAuthentication, UserPin));

        Assert.Equal(3, card.RemainingAttempts(CardPinKind.UserAuthentication));
    }

    [Fact]
    public void Five_wrong_signing_pins_lock_signing_only()
    {
        var card = NewCard();
        var wrong = Pin(CardPinKind.Signing, "WRONG1");
        for (var i = 4; i >= 1; i--)
            Assert.Equal(i, Assert.Throws<CardPinException>(() => card.Sign(wrong, "document"u8)).RemainingAttempts);
        Assert.True(Assert.Throws<CardPinException>(() => card.Sign(wrong, "document"u8)).Locked);

        Assert.Equal("pin-locked", Assert.Throws<CardPinException>(() => card.Sign(Pin(CardPinKind.Signing, SigningPin), "document"u8)).Code);
        Assert.Equal(3, card.RemainingAttempts(CardPinKind.UserAuthentication));
        Assert.NotEmpty(card.Sign(Pin(CardPinKind.UserAuthentication, UserPin), "challenge"u8));
    }

    [Fact]
    public void Signatures_verify_with_the_card_public_keys()
    {
        var card = NewCard();
        var challenge = RandomNumberGenerator.GetBytes(32);

        foreach (var (kind, pin) in new[] { (CardPinKind.UserAuthentication, UserPin), (CardPinKind.Signing, SigningPin) })
        {
            var signature = card.Sign(Pin(kind, pin), challenge);
            using var rsa = RSA.Create();
            rsa.ImportSubjectPublicKeyInfo(card.PublicKey(kind), out _);
            Assert.Equal(2048, rsa.KeySize);
            Assert.True(rsa.VerifyData(challenge, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        }
        Assert.NotEqual(card.PublicKey(CardPinKind.UserAuthentication), card.PublicKey(CardPinKind.Signing));
    }

    [Fact]
    public void Counter_unlock_with_the_key_opened_by_the_issuer_sets_a_new_pin()
    {
        var card = NewCard();
        for (var i = 0; i < 3; i++) Assert.Throws<CardPinException>(() => card.VerifyPin(Pin(CardPinKind.UserAuthentication, "9999")));

        var sealedKey = card.UnlockRequest(CardPinKind.UserAuthentication);
        var dataKey = MessageSealing.Open(_issuerUnlock, sealedKey, SoftwareCard.UnlockAssociatedData(card.Number, CardPinKind.UserAuthentication));
        card.CompleteUnlock(CardPinKind.UserAuthentication, dataKey, Pin(CardPinKind.UserAuthentication, "1357"));

        Assert.Equal(3, card.RemainingAttempts(CardPinKind.UserAuthentication));
        Assert.NotEmpty(card.Sign(Pin(CardPinKind.UserAuthentication, "1357"), "challenge"u8));
        Assert.Throws<CardPinException>(() => card.VerifyPin(Pin(CardPinKind.UserAuthentication, UserPin)));
    }

    [Fact]
    public void The_unlock_seal_is_bound_to_card_and_application_and_a_wrong_key_changes_nothing()
    {
        var card = NewCard();
        var sealedKey = card.UnlockRequest(CardPinKind.Signing);
        Assert.ThrowsAny<CryptographicException>(() =>
            MessageSealing.Open(_issuerUnlock, sealedKey, SoftwareCard.UnlockAssociatedData(card.Number, CardPinKind.UserAuthentication)));
        Assert.ThrowsAny<CryptographicException>(() =>
            MessageSealing.Open(_issuerUnlock, sealedKey, SoftwareCard.UnlockAssociatedData(CardNumber.NewRandom(), CardPinKind.Signing)));

        var before = _medium.Read();
        var refusal = Assert.Throws<CardRuleException>(() =>
            card.CompleteUnlock(CardPinKind.Signing, RandomNumberGenerator.GetBytes(32), Pin(CardPinKind.Signing, "NEWPIN1")));
        Assert.Equal("unlock-key-mismatch", refusal.Code);
        Assert.Equal(before, _medium.Read());
    }

    [Fact]
    public void Text_entry_support_data_is_behind_its_pin_and_signed_by_jlis()
    {
        var card = NewCard();
        Assert.Throws<CardPinException>(() => card.ReadTextEntrySupport(Pin(CardPinKind.TextEntrySupport, "0001")));

        var data = card.ReadTextEntrySupport(Pin(CardPinKind.TextEntrySupport, TextPin));

        Assert.Equal(Number, data.IndividualNumber);
        Assert.Equal("番号 花子", data.Name);
        Assert.True(data.Verify(_jlisDataKey));
        Assert.False((data with { Address = "東京都大田区蒲田5-13-14" }).Verify(_jlisDataKey));
        Assert.DoesNotContain(Number.Digits, data.ToString());
        Assert.Equal(Code, card.ReadResidentCode(Pin(CardPinKind.ResidentRegistry, RegistryPin)));
        Assert.Equal(3, card.RemainingAttempts(CardPinKind.TextEntrySupport));
    }

    [Fact]
    public void The_file_holds_no_pin_number_code_or_private_key_in_clear()
    {
        var card = NewCard();
        var text = Encoding.UTF8.GetString(_medium.Read()!);

        Assert.DoesNotContain(SigningPin, text);
        Assert.DoesNotContain(Number.Digits, text);
        Assert.DoesNotContain(Code.Digits, text);
        Assert.DoesNotContain("PRIVATE KEY", text);
        Assert.Contains(SoftwareCard.FormatName, text);
        Assert.Contains("番号 花子", text); // the face data is printed on the card anyway
        Assert.Equal(card.Number, SoftwareCard.Open(_medium).Number);
    }

    [Fact]
    public void Under_15_the_card_has_no_signing_key_and_one_can_be_added_later()
    {
        var card = NewCard(withSigning: false);
        Assert.False(card.Has(CardPinKind.Signing));
        Assert.Equal("no-such-application", Assert.Throws<CardRuleException>(() => card.Sign(Pin(CardPinKind.Signing, SigningPin), "x"u8)).Code);

        card.ReplaceKeyPair(Pin(CardPinKind.Signing, "ADULT15"));

        Assert.True(card.Has(CardPinKind.Signing));
        Assert.NotEmpty(card.Sign(Pin(CardPinKind.Signing, "ADULT15"), "x"u8));
    }

    [Fact]
    public void Changing_a_pin_needs_the_current_one()
    {
        var card = NewCard();
        Assert.Throws<CardPinException>(() => card.ChangePin(Pin(CardPinKind.ResidentRegistry, "0000"), Pin(CardPinKind.ResidentRegistry, "2468")));

        card.ChangePin(Pin(CardPinKind.ResidentRegistry, RegistryPin), Pin(CardPinKind.ResidentRegistry, "2468"));

        Assert.Equal(Code, card.ReadResidentCode(Pin(CardPinKind.ResidentRegistry, "2468")));
    }

    [Fact]
    public void A_tampered_counter_or_moved_content_is_detected()
    {
        NewCard();
        var text = Encoding.UTF8.GetString(_medium.Read()!);
        var reset = text.Replace("\"remaining\": 3", "\"remaining\": 9");
        Assert.Throws<CardFormatException>(() => SoftwareCard.Open(new InMemoryCardMedium(Encoding.UTF8.GetBytes(reset))));

        Assert.Throws<CardFormatException>(() => SoftwareCard.Open(new InMemoryCardMedium("{}"u8.ToArray())));
        Assert.Throws<CardFormatException>(() => SoftwareCard.Open(new InMemoryCardMedium("not json"u8.ToArray())));
        Assert.Throws<CardFormatException>(() => SoftwareCard.Open(new InMemoryCardMedium()));
    }

    [Theory]
    [InlineData(CardPinKind.UserAuthentication, "123", "4 digits")]
    [InlineData(CardPinKind.UserAuthentication, "12345", "4 digits")]
    [InlineData(CardPinKind.TextEntrySupport, "12a4", "only digits")]
    [InlineData(CardPinKind.ResidentRegistry, "", "empty")]
    [InlineData(CardPinKind.Signing, "ABC12", "6–16")]
    [InlineData(CardPinKind.Signing, "ABCDEFGHIJ1234567", "6–16")]
    [InlineData(CardPinKind.Signing, "abc123", "upper-case")]
    [InlineData(CardPinKind.Signing, "ABC-123", "upper-case")]
    public void Pin_formats_are_checked_without_repeating_the_pin(CardPinKind kind, string text, string reason)
    {
        var error = Assert.Throws<CardPinFormatException>(() => CardPin.Parse(kind, text));

        Assert.Contains(reason, error.Message);
        if (text.Length > 0) Assert.DoesNotContain(text, error.Message);
    }

    [Theory]
    [InlineData(CardPinKind.Signing, "ABC123")]
    [InlineData(CardPinKind.Signing, "0123456789ABCDEF")]
    [InlineData(CardPinKind.Signing, "123456")]
    [InlineData(CardPinKind.UserAuthentication, "0000")]
    public void Valid_pins_parse_and_print_masked(CardPinKind kind, string text)
    {
        var pin = CardPin.Parse(kind, text);

        Assert.Equal("****", pin.ToString());
    }

    [Fact]
    public void A_pin_set_prints_no_pin()
    {
        var pins = new CardPinSet(CardPin.Parse(CardPinKind.UserAuthentication, "4821"), CardPin.Parse(CardPinKind.Signing, "SECRET77"),
            CardPin.Parse(CardPinKind.TextEntrySupport, "7302"), CardPin.Parse(CardPinKind.ResidentRegistry, "5519"));

        var printed = pins.ToString();

        foreach (var text in new[] { "4821", "SECRET77", "7302", "5519" }) Assert.DoesNotContain(text, printed);
    }

    [Fact]
    public void Wrong_pin_messages_never_carry_the_pin()
    {
        var card = NewCard();
        var error = Assert.Throws<CardPinException>(() => card.Sign(Pin(CardPinKind.Signing, "ZZZZ9999"), "x"u8));

        Assert.DoesNotContain("ZZZZ9999", error.Message);
        Assert.DoesNotContain(SigningPin, error.Message);
        Assert.Contains("4 tries left", error.Message);
    }
}
