using Renkei.Core.Numbers;
using Renkei.Infrastructure;

namespace Renkei.Cli;

/// <summary>
/// Where each institution keeps its own database and keys under the data directory. Each institution
/// has its own files: no module ever opens another's.
/// <code>
/// &lt;data&gt;/jlis/jlis.db                     J-LIS numbering database
/// &lt;data&gt;/jlis/keys/numbering.key          J-LIS numbering key (created on first run, mode 600)
/// &lt;data&gt;/municipalities/&lt;code&gt;/register.db  one resident register per municipality (also holds its operation log)
/// &lt;data&gt;/municipalities/&lt;code&gt;/keys/audit-signing.key  the operation log's checkpoint key (ECDSA P-256, PKCS#8 PEM, mode 600; .pub beside it)
/// &lt;data&gt;/municipalities/&lt;code&gt;/keys/totp.key   the key that encrypts staff TOTP secrets at rest (32 random bytes, mode 600)
/// &lt;data&gt;/intermediate/&lt;code&gt;/intermediate.db  the ward's intermediate server (中間サーバー), its own database
/// </code>
/// A PostgreSQL deployment names its databases with RENKEI_JLIS_DB / RENKEI_MUNICIPALITY_DB_&lt;code&gt; /
/// RENKEI_INTERMEDIATE_DB_&lt;code&gt; (values like "postgres:Host=…;Database=…").
/// </summary>
public sealed class DataLayout(DirectoryInfo root)
{
    public DirectoryInfo Root { get; } = root;

    public string JlisDirectory => Path.Combine(Root.FullName, "jlis");
    public string JlisKeyFile => Path.Combine(JlisDirectory, "keys", "numbering.key");

    public Database JlisDatabase() =>
        FromEnvironment("RENKEI_JLIS_DB") ?? Database.Sqlite(Path.Combine(JlisDirectory, "jlis.db"));

    public string MunicipalityDirectory(LocalGovernmentCode code) => Path.Combine(Root.FullName, "municipalities", code.Digits);

    public Database MunicipalityDatabase(LocalGovernmentCode code) =>
        FromEnvironment("RENKEI_MUNICIPALITY_DB_" + code.Digits)
        ?? Database.Sqlite(Path.Combine(MunicipalityDirectory(code), "register.db"));

    /// <summary>The key that signs the municipality's operation-log checkpoints; its public key is the same path with .pub.</summary>
    public string MunicipalityAuditKeyFile(LocalGovernmentCode code) => Path.Combine(MunicipalityDirectory(code), "keys", "audit-signing.key");

    /// <summary>The key file the ward's <c>StaffDirectory</c> encrypts TOTP secrets with (created on first use).</summary>
    public string MunicipalityTotpKeyFile(LocalGovernmentCode code) => Path.Combine(MunicipalityDirectory(code), "keys", "totp.key");

    /// <summary>The database of the intermediate server that holds the municipality's copies (never its register's).</summary>
    public Database IntermediateDatabase(LocalGovernmentCode code) =>
        FromEnvironment("RENKEI_INTERMEDIATE_DB_" + code.Digits)
        ?? Database.Sqlite(Path.Combine(Root.FullName, "intermediate", code.Digits, "intermediate.db"));

    public bool MunicipalityExists(LocalGovernmentCode code) =>
        FromEnvironment("RENKEI_MUNICIPALITY_DB_" + code.Digits) is not null
        || File.Exists(Path.Combine(MunicipalityDirectory(code), "register.db"));

    private static Database? FromEnvironment(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } setting ? Database.Parse(setting) : null;
}
