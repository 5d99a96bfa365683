using System.Diagnostics;
using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Renkei.Core.People;
using Renkei.Jlis.Contracts;
using Renkei.Jlis.Pki;
using Renkei.TestSupport;

namespace Renkei.Jlis.Tests.Pki;

/// <summary>A JPKI authority over a throw-away database and key directory.</summary>
public sealed class PkiFixture : IDisposable
{
    public const string Passphrase = "correct horse battery staple";

    private PkiFixture(TestDatabase database, TempDirectory directory, TestClock clock, int iterations)
    {
        Database = database;
        Directory = directory;
        Clock = clock;
        Options = new JpkiOptions(Path.Combine(directory.Path, "keys", "jpki"), Passphrase) { KeyFileIterations = iterations };
        Authority = JpkiAuthority.OpenOrCreate(database.Database, Options, clock);
    }

    public TestDatabase Database { get; }
    public TempDirectory Directory { get; }
    public TestClock Clock { get; }
    public JpkiOptions Options { get; }
    public JpkiAuthority Authority { get; }

    /// <summary>
    /// The clock starts an hour ago, to the second, so OpenSSL (on the real clock) finds everything already valid.
    /// The key file uses the least accepted PBKDF2 iteration count unless told otherwise (the machine is shared).
    /// </summary>
    public static PkiFixture Create(string provider, int iterations = JpkiOptions.MinimumKeyFileIterations)
    {
        var now = DateTimeOffset.UtcNow.AddHours(-1);
        return new(TestDatabase.Create(provider), new TempDirectory(), new TestClock(now.AddTicks(-(now.Ticks % TimeSpan.TicksPerSecond))), iterations);
    }

    /// <summary>Another instance on the same database and key file (as another process would open it).</summary>
    public JpkiAuthority OpenAgain(string? passphrase = null) =>
        JpkiAuthority.OpenOrCreate(Database.Database, new JpkiOptions(Options.KeyDirectory, passphrase ?? Passphrase), Clock);

    public static SigningCertificateSubject Hanako => new("山田 花子", new DateOnly(1980, 1, 15), Sex.Female, "東京都品川区広町二丁目1番36号");

    public void Dispose()
    {
        Authority.Dispose();
        Database.Dispose();
        Directory.Dispose();
    }
}

/// <summary>A clock the test moves by hand.</summary>
public sealed class TestClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;
    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>What a DER CRL says: its number, dates and entries (serial upper-case hex → reason; null when the entry has none).</summary>
public sealed record CrlContents(BigInteger Number, DateTimeOffset ThisUpdate, DateTimeOffset? NextUpdate, IReadOnlyDictionary<string, X509RevocationReason?> Entries)
{
    public static CrlContents Parse(byte[] der)
    {
        var certList = new AsnReader(der, AsnEncodingRules.DER).ReadSequence();
        var tbs = certList.ReadSequence();
        if (tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Integer)) tbs.ReadInteger(); // version
        tbs.ReadSequence(); // signature algorithm
        tbs.ReadSequence(); // issuer
        var thisUpdate = ReadTime(tbs);
        DateTimeOffset? nextUpdate = null;
        if (tbs.HasData && (tbs.PeekTag().HasSameClassAndValue(new Asn1Tag(UniversalTagNumber.UtcTime))
                            || tbs.PeekTag().HasSameClassAndValue(new Asn1Tag(UniversalTagNumber.GeneralizedTime))))
            nextUpdate = ReadTime(tbs);
        var entries = new Dictionary<string, X509RevocationReason?>(StringComparer.Ordinal);
        if (tbs.HasData && tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Sequence))
        {
            var revoked = tbs.ReadSequence();
            while (revoked.HasData)
            {
                var entry = revoked.ReadSequence();
                var serial = Convert.ToHexString(entry.ReadIntegerBytes().Span).TrimStart('0');
                ReadTime(entry);
                X509RevocationReason? reason = null;
                if (entry.HasData)
                {
                    var extensions = entry.ReadSequence();
                    while (extensions.HasData)
                    {
                        var extension = extensions.ReadSequence();
                        var oid = extension.ReadObjectIdentifier();
                        if (extension.PeekTag().HasSameClassAndValue(Asn1Tag.Boolean)) extension.ReadBoolean();
                        var value = extension.ReadOctetString();
                        if (oid == "2.5.29.21")
                            reason = (X509RevocationReason)(int)new AsnReader(value, AsnEncodingRules.DER).ReadEnumeratedBytes().Span[0];
                    }
                }
                entries[serial] = reason;
            }
        }
        BigInteger number = -1;
        if (tbs.HasData)
        {
            var extensions = tbs.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, true)).ReadSequence();
            while (extensions.HasData)
            {
                var extension = extensions.ReadSequence();
                var oid = extension.ReadObjectIdentifier();
                if (extension.PeekTag().HasSameClassAndValue(Asn1Tag.Boolean)) extension.ReadBoolean();
                var value = extension.ReadOctetString();
                if (oid == "2.5.29.20") number = new AsnReader(value, AsnEncodingRules.DER).ReadInteger();
            }
        }
        return new CrlContents(number, thisUpdate, nextUpdate, entries);
    }

    private static DateTimeOffset ReadTime(AsnReader reader) =>
        reader.PeekTag().HasSameClassAndValue(new Asn1Tag(UniversalTagNumber.UtcTime)) ? reader.ReadUtcTime() : reader.ReadGeneralizedTime();
}

/// <summary>Runs the real openssl binary with an argument list (never a shell).</summary>
public static class OpenSsl
{
    public sealed record Result(int ExitCode, string Output)
    {
        public override string ToString() => $"exit {ExitCode}: {Output}";
    }

    public static Result Run(string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo("openssl")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("openssl did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(60_000))
        {
            process.Kill();
            throw new TimeoutException("openssl did not finish in 60 s");
        }
        return new Result(process.ExitCode, output.Result + error.Result);
    }
}

public static class Pem
{
    public static void WriteCertificate(string path, X509Certificate2 certificate) =>
        File.WriteAllText(path, certificate.ExportCertificatePem() + "\n");
}
