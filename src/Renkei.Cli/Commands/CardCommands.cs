using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Renkei.Core.Cards;
using Renkei.Core.Json;
using Renkei.Core.Numbers;
using Renkei.Core.People;
using Renkei.Infrastructure;
using Renkei.Jlis;
using Renkei.Jlis.Contracts;
using Renkei.Jlis.Pki;
using Renkei.Municipality.Service;
using Renkei.ServiceDefaults;

namespace Renkei.Cli.Commands;

/// <summary>
/// <c>renkei card …</c>: the individual number card (個人番号カード). <c>validity</c> computes the validity rules offline;
/// the other subcommands act as the municipal counter or J-LIS's call centre, talking over HTTP to J-LIS — the service
/// at <c>--jlis-url</c>, or J-LIS started from the data directory on a loopback port for the command (its JPKI key file
/// needs the passphrase: <see cref="JpkiPassphrase"/>). The holder's card is a file (<c>--card-file</c>, mode 600).
/// <para>
/// PINs are never command-line arguments: the command asks for them (input hidden) or, when standard input is not a
/// terminal, reads lines <c>name=PIN</c> from it, with the names <c>user-authentication</c>, <c>signing</c>,
/// <c>text-entry-support</c> and <c>resident-registry</c>. At handover, missing text-entry-support and resident-registry
/// PINs default to the user-authentication PIN (the card allows the same PIN for all three), and no signing PIN means no
/// signing certificate.
/// </para>
/// A renewal is an application (<c>card apply</c>) that J-LIS recognises inside the 3 months before expiry, then
/// <c>issue</c> and <c>handover</c>; <c>card renew</c> renews the certificates on a card.
/// </summary>
public static class CardCommands
{
    /// <summary>The exact shape <c>renkei card validity --json</c> prints.</summary>
    public sealed record ValidityOutput(DateOnly CardExpires, DateOnly UserCertificateExpires, DateOnly? SigningCertificateExpires, DateOnly RenewalFrom);

    /// <summary>What <c>renkei card unlock --json</c> prints.</summary>
    public sealed record UnlockOutput(CardNumber CardNumber, string Pin, int RemainingAttempts);

    /// <summary>A card file's PIN counters, as <c>renkei card status --card-file --json</c> prints them beside J-LIS's status.</summary>
    public sealed record PinCounter(string Pin, bool Present, int? RemainingAttempts, bool Locked);

    public sealed record CardFileStatus(CardStatusResponse Card, IReadOnlyList<PinCounter> Pins);

    public static void AddTo(RootCommand root)
    {
        var card = new Command("card", "individual number cards (個人番号カード): validity, application, issuance, handover, suspension, PIN unlock, changes");
        card.Subcommands.Add(ValidityCommand());
        card.Subcommands.Add(ApplyCommand());
        card.Subcommands.Add(IssueCommand());
        card.Subcommands.Add(HandoverCommand());
        card.Subcommands.Add(SuspendCommand());
        card.Subcommands.Add(ResumeCommand());
        card.Subcommands.Add(RevokeCommand());
        card.Subcommands.Add(UnlockCommand());
        card.Subcommands.Add(RenewCommand());
        card.Subcommands.Add(ChangeFactsCommand("change-address", "record a change of address: revokes the signing certificate (住所変更)", address: true));
        card.Subcommands.Add(ChangeFactsCommand("change-name", "record a change of name: revokes the signing certificate (氏名変更)", address: false));
        card.Subcommands.Add(StatusCommand());
        root.Subcommands.Add(card);
    }

    // ------------------------------------------------------------------ validity

    private static Command ValidityCommand()
    {
        var birth = DateOption("--birth", "the holder's birth date (YYYY-MM-DD)", required: true);
        var issued = DateOption("--issued", "the day of issuance (YYYY-MM-DD)", required: true);
        var json = CliOptions.Json();
        var command = new Command("validity", "card and certificate validity from birth date and issue date (有効期間)") { birth, issued, json };
        command.SetAction(parse =>
        {
            CardValidity validity;
            try
            {
                validity = CardValidity.Compute(parse.GetValue(birth)!.Value, parse.GetValue(issued)!.Value);
            }
            catch (CardRuleException rule)
            {
                throw new UsageException(rule.Message);
            }
            var output = new ValidityOutput(validity.CardExpires, validity.UserCertificateExpires, validity.SigningCertificateExpires, validity.RenewalFrom);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(output, JsonDefaults.Options));
                return ExitCodes.Success;
            }
            Console.WriteLine($"card expires (カード有効期限):                      {Iso(output.CardExpires)}");
            Console.WriteLine($"user-authentication certificate (利用者証明用): {Iso(output.UserCertificateExpires)}");
            Console.WriteLine($"signing certificate (署名用):                   {(output.SigningCertificateExpires is { } s ? Iso(s) : "not issued under 15 (15歳未満は発行なし)")}");
            Console.WriteLine($"renewal from (更新可能日):                      {Iso(output.RenewalFrom)}");
            return ExitCodes.Success;
        });
        return command;
    }

    // ------------------------------------------------------------------ application and issuance

    private static Command ApplyCommand()
    {
        var shared = new Shared();
        var number = new Option<string>("--number") { Description = "the holder's individual number (from the notification letter)", Required = true };
        var name = new Option<string>("--name") { Description = "name as on the resident register (氏名)", Required = true };
        var address = new Option<string>("--address") { Description = "address as on the resident register (住所)", Required = true };
        var birth = DateOption("--birth", "birth date (YYYY-MM-DD)", required: true);
        var sex = new Option<string>("--sex") { Description = "male or female (男/女, 1/2)", Required = true };
        var channel = KebabEnumOption<CardApplicationChannel>("--channel", "how the holder applied", CardApplicationChannel.NotificationLetter);
        var command = new Command("apply", "apply for a card; J-LIS treats it as a renewal from 3 months before the current card's expiry (交付申請)")
            { number, name, address, birth, sex, channel };
        shared.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var code = shared.Ward(parse);
            var parsed = IndividualNumber.Parse(parse.GetValue(number));
            if (!parsed.IsValid) throw new UsageException("--number: " + parsed.Error!.Message);
            if (!SexText.TryParse(parse.GetValue(sex), out var holderSex)) throw new UsageException("--sex must be male or female (男/女, 1/2)");
            await using var jlis = await shared.ConnectAsync(parse, ct);
            var answer = await jlis.Cards.ApplyAsync(new CardApplicationRequest(Guid.NewGuid(), code, parsed.Value, parse.GetValue(name)!,
                parse.GetValue(address)!, parse.GetValue(birth)!.Value, holderSex, parse.GetValue(channel), shared.Operator(parse)), ct);
            return Print(parse, shared, answer, () =>
                Console.WriteLine($"application {answer.ApplicationId:D} received ({answer.Kind}) (申請を受け付けました)"));
        });
        return command;
    }

    private static Command IssueCommand()
    {
        var shared = new Shared();
        var application = new Option<Guid>("--application") { Description = "the application ID printed by 'card apply'", Required = true };
        var command = new Command("issue", "issue the card for an application at J-LIS (カード発行)") { application };
        shared.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            await using var jlis = await shared.ConnectAsync(parse, ct);
            var status = await jlis.Cards.IssueAsync(new IssueCardRequest(Guid.NewGuid(), parse.GetValue(application), shared.Operator(parse)), ct);
            return Print(parse, shared, status, () => PrintStatus(status));
        });
        return command;
    }

    // ------------------------------------------------------------------ handover

    private static Command HandoverCommand()
    {
        var shared = new Shared();
        var cardNumber = CardNumberOption(required: true);
        var file = CardFileOption();
        var identity = new IdentityOptions();
        var collected = new Option<bool>("--notification-card-collected") { Description = "the notification card was handed in (通知カードを回収した)" };
        var command = new Command("handover",
            "hand the card over at the counter: identity check, PINs set by the holder, certificates; writes the card file (交付)")
            { cardNumber, file, collected };
        identity.AddTo(command);
        shared.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var check = identity.Require(parse);
            var medium = new SoftwareCardFile(parse.GetValue(file)!.FullName);
            if (medium.Read() is not null) throw new UsageException($"{medium.Path} already holds a card; give a new file");
            var pins = PinInput.Read([
                new("user-authentication", "利用者証明用暗証番号（数字4桁）", Optional: false),
                new("signing", "署名用パスワード（英大文字・数字6～16文字、空欄で発行しない）", Optional: true),
                new("text-entry-support", "券面事項入力補助用暗証番号（数字4桁、空欄で利用者証明用と同じ）", Optional: true),
                new("resident-registry", "住民基本台帳用暗証番号（数字4桁、空欄で利用者証明用と同じ）", Optional: true),
            ]);
            var user = ParsePin(CardPinKind.UserAuthentication, pins["user-authentication"]);
            var set = new CardPinSet(user,
                pins.GetValueOrDefault("signing") is { Length: > 0 } signing ? ParsePin(CardPinKind.Signing, signing) : null,
                ParsePin(CardPinKind.TextEntrySupport, pins.GetValueOrDefault("text-entry-support") is { Length: > 0 } text ? text : user.Reveal()),
                ParsePin(CardPinKind.ResidentRegistry, pins.GetValueOrDefault("resident-registry") is { Length: > 0 } registry ? registry : user.Reveal()));
            await using var jlis = await shared.ConnectAsync(parse, ct);
            SoftwareCard card;
            try
            {
                card = await jlis.Counter(shared.Operator(parse)).HandOverAsync(parse.GetValue(cardNumber)!.Value, medium, set, check,
                    parse.GetValue(collected), ct);
            }
            catch
            {
                // A card J-LIS did not certify is no card: remove the half-made file and its keys.
                if (File.Exists(medium.Path)) File.Delete(medium.Path);
                throw;
            }
            var status = await jlis.Cards.StatusAsync(new CardStatusRequest(card.Number, null), ct);
            return Print(parse, shared, status, () =>
            {
                PrintStatus(status);
                Console.WriteLine($"card file (カード): {medium.Path}");
            });
        });
        return command;
    }

    // ------------------------------------------------------------------ suspension, resumption, revocation

    private static Command SuspendCommand()
    {
        var shared = new Shared();
        var lookup = new CardLookup();
        var reason = KebabEnumOption<SuspensionReason>("--reason", "why", SuspensionReason.Lost);
        var channel = KebabEnumOption<SuspensionChannel>("--channel", "how the report came in", SuspensionChannel.Phone);
        var command = new Command("suspend", "suspend a card at any hour, e.g. reported lost by phone: certificates on hold (一時停止)") { reason, channel };
        lookup.AddTo(command);
        shared.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var (card, number) = lookup.Get(parse);
            await using var jlis = await shared.ConnectAsync(parse, ct);
            var status = await jlis.Cards.SuspendAsync(new SuspendCardRequest(Guid.NewGuid(), card, number, parse.GetValue(reason), parse.GetValue(channel),
                shared.Operator(parse)), ct);
            return Print(parse, shared, status, () => PrintStatus(status));
        });
        return command;
    }

    private static Command ResumeCommand()
    {
        var shared = new Shared();
        var cardNumber = CardNumberOption(required: true);
        var identity = new IdentityOptions();
        var command = new Command("resume", "lift a suspension at the counter with the holder's identity checked (一時停止解除)") { cardNumber };
        identity.AddTo(command);
        shared.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var check = identity.Get(parse);
            await using var jlis = await shared.ConnectAsync(parse, ct);
            var status = await jlis.Cards.ResumeAsync(new ResumeCardRequest(Guid.NewGuid(), parse.GetValue(cardNumber)!.Value, check, shared.Operator(parse)), ct);
            return Print(parse, shared, status, () => PrintStatus(status));
        });
        return command;
    }

    private static Command RevokeCommand()
    {
        var shared = new Shared();
        var lookup = new CardLookup();
        var reason = KebabEnumOption<CardRevocationReason>("--reason", "death, departure-abroad, surrendered or lost", defaultValue: null);
        reason.Required = true;
        var command = new Command("revoke", "end the card and revoke its certificates: death, departure abroad, surrender, loss (廃止・失効)") { reason };
        lookup.AddTo(command);
        shared.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var (card, number) = lookup.Get(parse);
            await using var jlis = await shared.ConnectAsync(parse, ct);
            var status = await jlis.Cards.RevokeAsync(new RevokeCardRequest(Guid.NewGuid(), card, number, parse.GetValue(reason), shared.Operator(parse)), ct);
            return Print(parse, shared, status, () => PrintStatus(status));
        });
        return command;
    }

    // ------------------------------------------------------------------ PINs, facts, certificates

    private static Command UnlockCommand()
    {
        var shared = new Shared();
        var file = CardFileOption();
        var pin = KebabEnumOption<CardPinKind>("--pin", "which PIN: user-authentication, signing, text-entry-support or resident-registry", null);
        pin.Required = true;
        var identity = new IdentityOptions();
        var command = new Command("unlock",
            "unlock a locked PIN at the counter and set the holder's new one; refused without an identity check (暗証番号ロック解除)") { file, pin };
        identity.AddTo(command);
        shared.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var card = OpenCard(parse.GetValue(file)!);
            var kind = parse.GetValue(pin);
            var check = identity.Get(parse);
            var name = CardPinRules.Name(kind);
            var newPin = ParsePin(kind, PinInput.Read([new(name, $"新しい暗証番号（{name}）", Optional: false)])[name]);
            await using var jlis = await shared.ConnectAsync(parse, ct);
            await jlis.Counter(shared.Operator(parse)).UnlockAsync(card, newPin, check, ct);
            var output = new UnlockOutput(card.Number, name, card.RemainingAttempts(kind));
            return Print(parse, shared, output, () => Console.WriteLine($"{CardPinRules.Describe(kind)} unlocked; {output.RemainingAttempts} tries (ロックを解除しました)"));
        });
        return command;
    }

    private static Command RenewCommand()
    {
        var shared = new Shared();
        var file = CardFileOption();
        var user = new Option<bool>("--user") { Description = "renew the user-authentication certificate (new key, new PIN)" };
        var signing = new Option<bool>("--signing") { Description = "renew or add the signing certificate (new key, new password)" };
        var identity = new IdentityOptions();
        var command = new Command("renew",
            "renew the certificates on a card, from 3 months before they expire; a card itself is renewed with 'card apply' (電子証明書の更新)")
            { file, user, signing };
        identity.AddTo(command);
        shared.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var card = OpenCard(parse.GetValue(file)!);
            var check = identity.Require(parse);
            bool renewUser = parse.GetValue(user), renewSigning = parse.GetValue(signing);
            if (!renewUser && !renewSigning) throw new UsageException("give --user, --signing or both");
            var wanted = new List<PinInput.Wanted>();
            if (renewUser) wanted.Add(new("user-authentication", "新しい利用者証明用暗証番号（数字4桁）", Optional: false));
            if (renewSigning) wanted.Add(new("signing", "新しい署名用パスワード（英大文字・数字6～16文字）", Optional: false));
            var pins = PinInput.Read(wanted);
            await using var jlis = await shared.ConnectAsync(parse, ct);
            var answer = await jlis.Counter(shared.Operator(parse)).RenewCertificatesAsync(card,
                renewUser ? ParsePin(CardPinKind.UserAuthentication, pins["user-authentication"]) : null,
                renewSigning ? ParsePin(CardPinKind.Signing, pins["signing"]) : null, check, ct);
            return Print(parse, shared, answer.Card, () => PrintStatus(answer.Card));
        });
        return command;
    }

    private static Command ChangeFactsCommand(string name, string description, bool address)
    {
        var shared = new Shared();
        var file = CardFileOption();
        var value = new Option<string>(address ? "--address" : "--name")
        {
            Description = address ? "the new address as on the resident register" : "the new name as on the resident register",
            Required = true,
        };
        var newSigning = new Option<bool>("--new-signing") { Description = "issue a new signing certificate with the new facts (new password)" };
        var identity = new IdentityOptions();
        var command = new Command(name, description) { file, value, newSigning };
        identity.AddTo(command);
        shared.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var card = OpenCard(parse.GetValue(file)!);
            var check = identity.Require(parse);
            var wanted = new List<PinInput.Wanted> { new("text-entry-support", "券面事項入力補助用暗証番号（数字4桁）", Optional: false) };
            if (parse.GetValue(newSigning)) wanted.Add(new("signing", "新しい署名用パスワード（英大文字・数字6～16文字）", Optional: false));
            var pins = PinInput.Read(wanted);
            var face = card.Face;
            await using var jlis = await shared.ConnectAsync(parse, ct);
            var answer = await jlis.Counter(shared.Operator(parse)).ChangeFactsAsync(card,
                address ? face.Name : parse.GetValue(value)!, address ? parse.GetValue(value)! : face.Address,
                ParsePin(CardPinKind.TextEntrySupport, pins["text-entry-support"]),
                parse.GetValue(newSigning) ? ParsePin(CardPinKind.Signing, pins["signing"]) : null, check, ct);
            return Print(parse, shared, answer.Card, () => PrintStatus(answer.Card));
        });
        return command;
    }

    private static Command StatusCommand()
    {
        var shared = new Shared();
        var lookup = new CardLookup();
        var file = new Option<FileInfo?>("--card-file") { Description = "a card file: its card, and its PIN counters (no PIN needed)" };
        var command = new Command("status", "a card's state, validity, certificates and recorded operations (カードの状態)") { file };
        lookup.AddTo(command);
        shared.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var cardFile = parse.GetValue(file);
            SoftwareCard? card = cardFile is null ? null : OpenCard(cardFile);
            var (cardNumber, number) = card is null ? lookup.Get(parse) : (card.Number, (IndividualNumber?)null);
            await using var jlis = await shared.ConnectAsync(parse, ct);
            var status = await jlis.Cards.StatusAsync(new CardStatusRequest(cardNumber, number), ct);
            if (card is null) return Print(parse, shared, status, () => PrintStatus(status));
            var pins = CardPinRules.All.Select(kind => card.Has(kind)
                ? new PinCounter(CardPinRules.Name(kind), true, card.RemainingAttempts(kind), card.IsLocked(kind))
                : new PinCounter(CardPinRules.Name(kind), false, null, false)).ToList();
            return Print(parse, shared, new CardFileStatus(status, pins), () =>
            {
                PrintStatus(status);
                foreach (var pin in pins.Where(p => p.Present))
                    Console.WriteLine($"  {pin.Pin,-20} {(pin.Locked ? "locked (ロック中)" : $"{pin.RemainingAttempts} tries left (残り{pin.RemainingAttempts}回)")}");
            });
        });
        return command;
    }

    // ------------------------------------------------------------------ shared pieces

    /// <summary>Options every J-LIS-facing subcommand has, and the connection they open.</summary>
    private sealed class Shared
    {
        private readonly Option<Uri?> _jlisUrl = CliOptions.Url("--jlis-url", "J-LIS's address (default: start J-LIS from the data directory for this command)");
        private readonly Option<FileInfo?> _passphraseFile = JpkiPassphrase.FileOption();
        private readonly Option<string> _municipality = new("--municipality")
        {
            Description = "the ward acting, its 6-digit code (e.g. 131091): J-LIS answers a ward for its own residents; requests are signed with its institution key",
            Required = true,
        };
        private readonly Option<string> _operator = new("--operator")
        {
            Description = "who acts, recorded by J-LIS with the operation (default: cli:<user>)",
            DefaultValueFactory = _ => "cli:" + Environment.UserName,
        };

        public Option<bool> Json { get; } = CliOptions.Json();

        public void AddTo(Command command)
        {
            command.Options.Add(_municipality);
            command.Options.Add(_jlisUrl);
            command.Options.Add(_passphraseFile);
            command.Options.Add(_operator);
            command.Options.Add(Json);
        }

        public string Operator(ParseResult parse) => parse.GetValue(_operator)!;

        public LocalGovernmentCode Ward(ParseResult parse)
        {
            var code = LocalGovernmentCode.Parse(parse.GetValue(_municipality));
            return code.IsValid ? code.Value : throw new UsageException("--municipality: " + code.Error!.Message);
        }

        public async Task<Connection> ConnectAsync(ParseResult parse, CancellationToken ct)
        {
            var url = parse.GetValue(_jlisUrl);
            var ward = Ward(parse);
            var layout = new DataLayout(parse.GetValue(CliOptions.DataDirectory)!);
            var passphrase = url is null ? JpkiPassphrase.Resolve(layout, parse.GetValue(_passphraseFile)) : null;
            return new Connection(await JlisConnection.OpenAsync(layout, url, passphrase, ct, ward), ward);
        }
    }

    private sealed class Connection(JlisConnection jlis, LocalGovernmentCode ward) : IAsyncDisposable
    {
        public CardHttpClient Cards => jlis.For(ward).Cards;

        public CardCounter Counter(string operatorId) => new(Cards, operatorId);

        public ValueTask DisposeAsync() => jlis.DisposeAsync();
    }

    /// <summary>--card or --number (exactly one).</summary>
    private sealed class CardLookup
    {
        private readonly Option<CardNumber?> _card = CardNumberOption(required: false);
        private readonly Option<string?> _number = new("--number") { Description = "the holder's individual number, when the card number is not at hand" };

        public void AddTo(Command command)
        {
            command.Options.Add(_card);
            command.Options.Add(_number);
        }

        public (CardNumber? Card, IndividualNumber? Number) Get(ParseResult parse)
        {
            var card = parse.GetValue(_card);
            var text = parse.GetValue(_number);
            if (card is null == text is null) throw new UsageException("give either --card or --number");
            if (text is null) return (card, null);
            var number = IndividualNumber.Parse(text);
            if (!number.IsValid) throw new UsageException("--number: " + number.Error!.Message);
            return (null, number.Value);
        }
    }

    /// <summary>--checked-by and --document: the identity check at the counter (本人確認).</summary>
    private sealed class IdentityOptions
    {
        private readonly Option<string?> _checkedBy = new("--checked-by") { Description = "who checked the holder's identity at the counter (確認者)" };
        private readonly Option<IdentityDocument?> _document = NullableKebabEnumOption<IdentityDocument>("--document",
            "the identity document: individual-number-card, drivers-licence, passport, residence-card, other-photo-document, two-documents-without-photo");

        public void AddTo(Command command)
        {
            command.Options.Add(_checkedBy);
            command.Options.Add(_document);
        }

        /// <summary>The check, or null when none was given (J-LIS refuses operations that need one, and says so).</summary>
        public IdentityCheck? Get(ParseResult parse)
        {
            var checkedBy = parse.GetValue(_checkedBy);
            var document = parse.GetValue(_document);
            if (checkedBy is null && document is null) return null;
            if (checkedBy is null || document is null) throw new UsageException("an identity check needs both --checked-by and --document");
            return new IdentityCheck(checkedBy, document.Value);
        }

        public IdentityCheck Require(ParseResult parse) =>
            Get(parse) ?? throw new UsageException("the holder's identity must be checked: give --checked-by and --document (本人確認が必要です)");
    }

    /// <summary>PINs from the holder: a hidden prompt on a terminal, else <c>name=PIN</c> lines on standard input.</summary>
    private static class PinInput
    {
        public sealed record Wanted(string Name, string Prompt, bool Optional);

        public static Dictionary<string, string> Read(IReadOnlyList<Wanted> wanted)
        {
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            if (Console.IsInputRedirected)
            {
                string? line;
                var lineNumber = 0;
                while ((line = Console.In.ReadLine()) is not null)
                {
                    lineNumber++;
                    line = line.Trim();
                    if (line.Length == 0 || line.StartsWith('#')) continue;
                    var equals = line.IndexOf('=');
                    var name = equals < 0 ? "" : line[..equals].Trim();
                    if (equals < 0 || !wanted.Any(w => w.Name == name))
                        throw new UsageException($"standard input line {lineNumber}: expected name=PIN with a name among {string.Join(", ", wanted.Select(w => w.Name))}");
                    values[name] = line[(equals + 1)..].Trim();
                }
            }
            else
            {
                foreach (var item in wanted) values[item.Name] = Prompt(item.Prompt + ": ");
            }
            foreach (var item in wanted.Where(w => !w.Optional))
                if (!values.TryGetValue(item.Name, out var value) || value.Length == 0)
                    throw new UsageException($"the {item.Name} PIN is missing (暗証番号が入力されていません)");
            return values;
        }

        private static string Prompt(string prompt)
        {
            Console.Error.Write(prompt);
            var text = new StringBuilder();
            while (true)
            {
                var key = Console.ReadKey(intercept: true);
                if (key.Key == ConsoleKey.Enter) break;
                if (key.Key == ConsoleKey.Backspace) { if (text.Length > 0) text.Length--; continue; }
                if (!char.IsControl(key.KeyChar)) text.Append(key.KeyChar);
            }
            Console.Error.WriteLine();
            return text.ToString();
        }
    }

    private static CardPin ParsePin(CardPinKind kind, string text)
    {
        try
        {
            return CardPin.Parse(kind, text);
        }
        catch (CardPinFormatException format)
        {
            throw new UsageException(format.Message);
        }
    }

    private static SoftwareCard OpenCard(FileInfo file)
    {
        if (!file.Exists) throw new UsageException($"no card file at {file.FullName}");
        return SoftwareCard.Open(new SoftwareCardFile(file.FullName));
    }

    private static Option<FileInfo> CardFileOption() => new("--card-file") { Description = "the holder's card file (the software card)", Required = true };

    private static Option<CardNumber?> CardNumberOption(bool required) => new("--card")
    {
        Description = "the card number (カード番号, 12 characters)",
        Required = required,
        CustomParser = result =>
        {
            if (CardNumber.TryParse(result.Tokens.Count > 0 ? result.Tokens[0].Value : "", out var number, out var error)) return number;
            result.AddError("--card: " + error);
            return null;
        },
    };

    private static Option<DateOnly?> DateOption(string name, string description, bool required) => new(name)
    {
        Description = description,
        Required = required,
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
            if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)) return date;
            result.AddError($"{name} must be a calendar date written YYYY-MM-DD (日付の形式が正しくありません)");
            return null;
        },
    };

    /// <summary>An enum option written in kebab-case (drivers-licence, notification-letter, …).</summary>
    private static Option<T> KebabEnumOption<T>(string name, string description, T? defaultValue) where T : struct, Enum
    {
        var option = new Option<T>(name)
        {
            Description = description + " (" + string.Join(", ", Enum.GetValues<T>().Select(v => Kebab(v.ToString()))) + ")",
            CustomParser = result => ParseKebab<T>(name, result.Tokens.Count > 0 ? result.Tokens[0].Value : "", result.AddError) ?? default,
        };
        if (defaultValue is { } value) option.DefaultValueFactory = _ => value;
        return option;
    }

    private static Option<T?> NullableKebabEnumOption<T>(string name, string description) where T : struct, Enum => new(name)
    {
        Description = description,
        CustomParser = result => ParseKebab<T>(name, result.Tokens.Count > 0 ? result.Tokens[0].Value : "", result.AddError),
    };

    private static T? ParseKebab<T>(string name, string text, Action<string> error) where T : struct, Enum
    {
        foreach (var value in Enum.GetValues<T>())
            if (string.Equals(Kebab(value.ToString()), text, StringComparison.OrdinalIgnoreCase)
                || string.Equals(value.ToString(), text, StringComparison.OrdinalIgnoreCase))
                return value;
        error($"{name} must be one of {string.Join(", ", Enum.GetValues<T>().Select(v => Kebab(v.ToString())))}");
        return null;
    }

    private static string Kebab(string pascal)
    {
        var text = new StringBuilder();
        foreach (var c in pascal)
        {
            if (char.IsUpper(c) && text.Length > 0) text.Append('-');
            text.Append(char.ToLowerInvariant(c));
        }
        return text.ToString();
    }

    private static int Print<T>(ParseResult parse, Shared shared, T value, Action human)
    {
        if (parse.GetValue(shared.Json)) Console.WriteLine(JsonSerializer.Serialize(value, JsonDefaults.Options));
        else human();
        return ExitCodes.Success;
    }

    private static void PrintStatus(CardStatusResponse status)
    {
        Console.WriteLine($"card (カード番号):        {status.CardNumber}");
        Console.WriteLine($"state (状態):             {Kebab(status.State.ToString())}{(status.EndReason is { } end ? " (" + Kebab(end.ToString()) + ")" : "")}{(status.Expired ? ", expired (期限切れ)" : "")}");
        Console.WriteLine($"issued / expires (有効期間): {Iso(status.IssuedOn)} – {Iso(status.CardExpires)}, renewal from {Iso(status.RenewalFrom)}");
        if (status.UserCertificate is { } user)
            Console.WriteLine($"user certificate (利用者証明用): {user.SerialNumber} until {Iso(user.Expires)}, {Kebab(user.Status.ToString())}");
        if (status.SigningCertificate is { } signing)
            Console.WriteLine($"signing certificate (署名用):    {signing.SerialNumber} until {Iso(signing.Expires)}, {Kebab(signing.Status.ToString())}");
        else if (status.State is CardState.Active or CardState.Suspended)
            Console.WriteLine("signing certificate (署名用):    none (なし)");
    }

    private static string Iso(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
