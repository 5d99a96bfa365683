using System.CommandLine;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Renkei.Core.Audit;
using Renkei.Infrastructure;
using Renkei.Infrastructure.Audit;
using Renkei.Infrastructure.Signing;
using Renkei.Intermediate.Records;
using Renkei.Network.Contracts;
using Renkei.Network.Records;

namespace Renkei.Cli.Commands;

/// <summary>
/// <c>renkei records verify --role network|intermediate</c>: the provision records (情報提供等記録) for auditors — the
/// network's log of every provision, or one information holder's own log at its intermediate server — checked the way
/// <c>renkei audit verify</c> checks an operation log (hash chain, signed checkpoints, optionally a head the auditor kept).
/// Exit 0 intact, 1 with the first edited, removed or reordered record named, 2 for a usage error.
/// </summary>
public static class RecordsCommands
{
    public const string NetworkRole = "network";
    public const string IntermediateRole = "intermediate";

    /// <summary>What <c>renkei records verify --json</c> prints.</summary>
    public sealed record RecordsVerifyReport(
        string Role,
        string Institution,
        string Log,
        bool Intact,
        long Entries,
        string? Head,
        long Checkpoints,
        long? LatestCheckpoint,
        long UnprotectedEntries,
        string? KeyFingerprint,
        AuditCommands.VerifyProblem? Problem);

    /// <summary>
    /// Where a log is and whose key signs it; for the network <paramref name="EarlierKeyFile"/> is its request key, which
    /// signed the checkpoints before the network had its log-signing key (<paramref name="KeyFile"/>).
    /// </summary>
    private sealed record Located(string Role, string Institution, string Identity, string TableName, Database Database, bool DatabaseExists, string KeyFile,
        string? EarlierKeyFile = null);

    public static void AddTo(RootCommand root)
    {
        var records = new Command("records", "provision records (情報提供等記録) of the network or of an intermediate server: verify, monitor, consistency, key");
        records.Subcommands.Add(VerifyCommand());
        records.Subcommands.Add(RecordsMonitor.Command());
        records.Subcommands.Add(RecordsMonitor.ConsistencyCommand());
        records.Subcommands.Add(RecordsMonitor.KeyCommand());
        root.Subcommands.Add(records);
    }

    private static Command VerifyCommand()
    {
        var role = new Option<string>("--role")
        {
            Description = "whose records: network (the network's provision records) or intermediate (one holder's records at its intermediate server)",
            Required = true,
        };
        role.AcceptOnlyFromAmong(NetworkRole, IntermediateRole);
        var institution = new Option<string?>("--institution", "-i")
        {
            Description = "with --role intermediate: the holder's institution code (a ward's local government code such as 131091, or a holder's code)",
        };
        var config = new Option<FileInfo?>("--config")
        {
            Description = "the role's configuration file ('renkei serve --config'): the network's, or a ward's or holder's with its intermediate server; its database and key directory instead of the data directory's",
        };
        var database = new Option<string?>("--database")
        {
            Description = "sqlite:<path> or postgres:<connection string> holding the log (default: the data directory's)",
        };
        var json = CliOptions.Json();
        var expectHead = new Option<string?>("--expect-head")
        {
            Description = "a head an auditor kept, as sequence:hash: records removed after the last checkpoint are found only this way",
        };
        var publicKey = new Option<FileInfo?>("--public-key")
        {
            Description = "the signing public key the auditor trusts (PEM, or base64 SubjectPublicKeyInfo; for the network its log-signing key, as 'records key' writes it); default: derived from the key directory (the network's log-signing key, and its request key for checkpoints signed before the log key existed)",
        };
        var command = new Command("verify",
            "check the provision records' hash chain and signed checkpoints; exit 1 naming the first edited, removed or reordered record")
        {
            role, institution, config, database, json, expectHead, publicKey,
        };
        command.SetAction(parse =>
        {
            var layout = new DataLayout(parse.GetValue(CliOptions.DataDirectory)!);
            var expected = AuditCommands.ParseHead(parse.GetValue(expectHead));
            var trusted = ReadPublicKey(parse.GetValue(publicKey));
            var located = Locate(layout, parse.GetValue(role)!, parse.GetValue(institution), parse.GetValue(config), ParseDatabase(parse.GetValue(database)));
            var report = Verify(located, expected, trusted);
            if (parse.GetValue(json)) AuditCommands.PrintJson(report);
            else
                AuditCommands.PrintVerification("情報提供等記録", report.Intact, report.Entries, report.Head, report.Checkpoints, report.UnprotectedEntries,
                    report.Problem, "記録を書くサービスは数秒ごと(と停止時)に先頭を署名します。先頭を控えて --expect-head に渡してください。");
            return report.Intact ? ExitCodes.Success : ExitCodes.Failure;
        });
        return command;
    }

    /// <summary>The log's database and signing key: from the deployment file when given, else the data directory.</summary>
    private static Located Locate(DataLayout layout, string role, string? institution, FileInfo? configFile, Database? database)
    {
        if (institution is not null && role == NetworkRole)
            throw new UsageException("--institution is for --role intermediate: the network keeps one log of provision records");
        if (configFile is not null)
        {
            if (database is not null) throw new UsageException("--database: with --config the database comes from the file");
            // The network's own file, or a ward's or holder's file with its intermediate server.
            var (serveRole, section, keys) = role == NetworkRole
                ? (CountryRole.Network, "Network", "Network:KeyDirectory")
                : (FileHasSection(configFile, "Holder") ? CountryRole.Holder : CountryRole.Municipality,
                    "Intermediate", "Intermediate:InstitutionKeyDirectory");
            var configuration = ServeCommand.Load(configFile, serveRole);
            string Setting(string key) => configuration[key] is { Length: > 0 } value ? value : throw new UsageException($"{configFile.Name}: {key} is required");
            if (!Database.IsSetting(Setting(section + ":Database")))
                throw new UsageException($"{configFile.Name}: {section}:Database must be sqlite:<path> or postgres:<connection string>");
            var fromFile = Database.Parse(configuration[section + ":Database"]!);
            // The network's log-signing key and request key are both in its key directory (see Network below).
            if (role == NetworkRole) return Network(fromFile, Setting(keys));
            var signingKeyFile = Path.Combine(Setting(keys), InstitutionKeys.SigningKeyFileName);
            var holder = Setting("Intermediate:HolderCode");
            if (institution is not null && institution != holder) throw new UsageException($"--institution: the file is for institution {holder}");
            return Intermediate(holder, fromFile, signingKeyFile);
        }

        if (role == NetworkRole)
            return Network(database ?? layout.NetworkDatabase(), layout.NetworkKeyDirectory);
        if (institution is null)
            throw new UsageException("--institution is required with --role intermediate (e.g. 131091 for 品川区's intermediate server)");
        if (institution.Length is < 1 or > 32 || !institution.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            throw new UsageException("--institution is an institution code: letters, digits, '-' and '_' (at most 32)");
        // A ward's institution keys live with its register, a holder's with its records (see DataLayout).
        var wardKeys = Renkei.Core.Numbers.LocalGovernmentCode.Parse(institution) is { IsValid: true } parsed
            ? Path.Combine(layout.MunicipalityInstitutionKeyDirectory(parsed.Value), InstitutionKeys.SigningKeyFileName)
            : null;
        var keyFile = wardKeys is not null && File.Exists(wardKeys)
            ? wardKeys
            : Path.Combine(layout.HolderInstitutionKeyDirectory(institution), InstitutionKeys.SigningKeyFileName);
        return Intermediate(institution, database ?? layout.IntermediateDatabase(institution), keyFile);
    }

    private static Database? ParseDatabase(string? setting)
    {
        if (setting is null) return null;
        try { return Database.Parse(setting); }
        catch (FormatException e) { throw new UsageException("--database: " + e.Message); }
    }

    private static Located Network(Database database, string keyDirectory) =>
        new(NetworkRole, NodeRoutes.NetworkInstitutionCode, ProvisionRecordAudit.LogIdentity, ProvisionRecordAudit.TableName, database,
            Exists(database), Path.Combine(keyDirectory, InstitutionKeys.LogSigningKeyFileName), Path.Combine(keyDirectory, InstitutionKeys.SigningKeyFileName));

    private static Located Intermediate(string institution, Database database, string keyFile) =>
        new(IntermediateRole, institution, PartyRecordLog.IdentityOf(institution), PartyRecordLog.TableName, database, Exists(database), keyFile);

    /// <summary>Whether the JSON file has a top-level section (a ward's file has <c>Ward</c>, a holder's <c>Holder</c>).</summary>
    private static bool FileHasSection(FileInfo file, string section)
    {
        try
        {
            return new ConfigurationBuilder().AddJsonFile(file.FullName, optional: true).Build().GetSection(section).Exists();
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or IOException)
        {
            return false; // serve's own reading of the file says what is wrong
        }
    }

    /// <summary>False for an SQLite file that is not there (opening it would create it); a server database is checked by its table.</summary>
    private static bool Exists(Database database) =>
        database.Provider != DatabaseProvider.Sqlite || File.Exists(new SqliteConnectionStringBuilder(database.ConnectionString).DataSource);

    /// <summary>The trusted key file as PEM: a PEM public key as is, or base64 SubjectPublicKeyInfo DER (how the registry lists keys) converted.</summary>
    internal static string? ReadPublicKey(FileInfo? file)
    {
        var text = AuditCommands.ReadPublicKey(file);
        if (text is null || text.Contains("-----BEGIN", StringComparison.Ordinal)) return text;
        try
        {
            using var key = System.Security.Cryptography.ECDsa.Create();
            key.ImportSubjectPublicKeyInfo(Convert.FromBase64String(text.Trim()), out _);
            return key.ExportSubjectPublicKeyInfoPem();
        }
        catch (Exception e) when (e is FormatException or System.Security.Cryptography.CryptographicException)
        {
            throw new UsageException("--public-key: the file holds neither a PEM public key nor a base64 SubjectPublicKeyInfo");
        }
    }

    /// <summary>Verifies the located log, including the cases where the log or its key is missing.</summary>
    private static RecordsVerifyReport Verify(Located at, AuditHead? expected, string? trustedKeyPem)
    {
        // The network's earlier key: a log begun before the log-signing key existed has older checkpoints signed with it.
        var earlierKeyPem = trustedKeyPem is null && at.EarlierKeyFile is { } earlier ? AuditSigningKeyFile.LoadPublicKeyPem(earlier) : null;
        var publicKeyPem = trustedKeyPem ?? AuditSigningKeyFile.LoadPublicKeyPem(at.KeyFile) ?? earlierKeyPem;
        RecordsVerifyReport Missing(string kind, string message) =>
            new(at.Role, at.Institution, at.TableName, false, 0, null, 0, null, 0, null, new AuditCommands.VerifyProblem(kind, null, null, message));

        var who = at.Role == NetworkRole ? "the network" : $"institution {at.Institution}";
        using var store = new AuditLogStore(at.Database, at.TableName, signer: null);
        if (!at.DatabaseExists || !store.Exists())
        {
            if (File.Exists(at.KeyFile) || (at.EarlierKeyFile is { } earlierFile && File.Exists(earlierFile)))
                return Missing("logMissing", $"{who}'s provision records are missing, though its signing key exists (情報提供等記録の削除)");
            if (expected is not null)
                return Missing("logMissing", $"there are no provision records, but record {expected.Sequence} was expected (情報提供等記録の削除)");
            return Missing("noLog", $"{who} has no provision records in this data directory (情報提供等記録がありません)");
        }
        if (publicKeyPem is null)
            return Missing("publicKeyMissing", "the signing public key is missing: pass the key you trust with --public-key");

        AuditCheckpointVerifier verifier;
        try { verifier = AuditCheckpointVerifier.FromPem(at.Identity, publicKeyPem); }
        catch (FormatException e) { throw new UsageException("--public-key: " + e.Message); }
        if (earlierKeyPem is not null && earlierKeyPem != publicKeyPem)
        {
            var earlierKey = System.Security.Cryptography.ECDsa.Create();
            earlierKey.ImportFromPem(earlierKeyPem);
            verifier = verifier.WithEarlierKey(earlierKey);
        }
        var result = store.Verify(verifier, expected);
        return new RecordsVerifyReport(
            at.Role, at.Institution, at.TableName, result.IsIntact, result.EntriesVerified,
            result.HeadHash is null ? null : $"{result.LastSequence}:{result.HeadHash}",
            result.CheckpointsVerified, result.LatestCheckpointSequence, result.UnprotectedEntries, verifier.KeyFingerprint,
            AuditCommands.ProblemOf(result.Problem));
    }
}
