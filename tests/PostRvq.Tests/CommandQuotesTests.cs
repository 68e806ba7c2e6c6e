using System.CommandLine;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using PostRvq.Cli;

namespace PostRvq.Tests;

/// <summary>
/// Every <c>postrvq COMMAND --option</c> that README.md, notebooks/*.ipynb, docs/*.md, environment.md and MODEL.md quote (also in the form
/// <c>dotnet run --project src/PostRvq.Cli ... -- COMMAND ...</c>) names a command and options that the CLI's
/// System.CommandLine tree really has, so documentation cannot drift from the command line unnoticed.
/// </summary>
public partial class CommandQuotesTests
{
    /// <summary>One quoted command line: where it was found, and its arguments after <c>postrvq</c>.</summary>
    public sealed record Quote(string Source, string Text, IReadOnlyList<string> Arguments);

    [Fact]
    public void EveryQuotedCommandAndOptionExists()
    {
        var quotes = DocumentedQuotes();
        var problems = quotes
            .SelectMany(q => Problems(q.Arguments).Select(p => $"{q.Source}: `{q.Text}`: {p}"))
            .ToList();
        Assert.True(problems.Count == 0, "Quoted commands the CLI does not have:\n" + string.Join("\n", problems));
    }

    [Fact]
    public void QuotesAreFoundInEveryKindOfDocument()
    {
        var quotes = DocumentedQuotes();
        Assert.Contains(quotes, q => q.Source.StartsWith("README.md", StringComparison.Ordinal) && q.Text.StartsWith("dotnet run", StringComparison.Ordinal));
        Assert.Contains(quotes, q => q.Source.StartsWith("README.md", StringComparison.Ordinal) && q.Arguments is ["quantize", ..]);
        Assert.Contains(quotes, q => q.Source.StartsWith("notebooks/", StringComparison.Ordinal));
        Assert.Contains(quotes, q => q.Source.StartsWith("docs/", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Run `postrvq compare --methods rvq,srvq` to compare.")]
    [InlineData("Run `postrvq quantize --method rvq` to compare.")]
    [InlineData("Run `postrvq bench quantise --n 1000`.")]
    [InlineData("A span that opens on one line, `QuantizerFile`, then a quote\nthat wraps: `postrvq quantize\n--methods rvq --kbps 3 --frames 2`.")]
    [InlineData("```bash\npostrvq latents --model m.model --data d \\\n                --out o --frames 3   # a made-up option on a continued line\n```\n")]
    [InlineData("```bash\ndotnet run --project src/PostRvq.Cli -c Release -- trian --config tiny-cpu --out runs/x\n```\n")]
    public void MadeUpCommandsAndOptionsAreCaught(string markdown)
    {
        var quote = Assert.Single(FindQuotes("example.md", markdown));
        Assert.NotEmpty(Problems(quote.Arguments));
    }

    [Theory]
    [InlineData("`postrvq encode` / `decode`", new[] { "encode" })]
    [InlineData("```bash\npostrvq encode clip.wav --model m.model --quantizer q.quantizer --kbps 6 -o clip.codes\n```", new[] { "encode", "clip.wav", "--model", "m.model", "--quantizer", "q.quantizer", "--kbps", "6", "-o", "clip.codes" })]
    [InlineData("```bash\npostrvq() { dotnet run --project src/PostRvq.Cli -c Release -- \"$@\"; }\npostrvq bench quantize --n 10   # comment\n```", new[] { "bench", "quantize", "--n", "10" })]
    public void RealQuotesParseAndPass(string markdown, string[] arguments)
    {
        var quote = Assert.Single(FindQuotes("example.md", markdown));
        Assert.Equal(arguments, quote.Arguments);
        Assert.Empty(Problems(quote.Arguments));
    }

    /// <summary>The quotes of README.md, every notebook (all cells), every document in docs/, environment.md and MODEL.md.</summary>
    static List<Quote> DocumentedQuotes()
    {
        var root = RepositoryFiles.Root;
        var quotes = new List<Quote>(FindQuotes("README.md", File.ReadAllText(RepositoryFiles.Path("README.md"))));
        foreach (var notebook in Directory.GetFiles(RepositoryFiles.Path("notebooks"), "*.ipynb").Order(StringComparer.Ordinal))
        {
            using var document = JsonDocument.Parse(File.ReadAllText(notebook));
            var cells = document.RootElement.GetProperty("cells").EnumerateArray().ToList();
            for (var i = 0; i < cells.Count; i++)
            {
                var source = cells[i].GetProperty("source");
                var text = source.ValueKind == JsonValueKind.Array
                    ? string.Concat(source.EnumerateArray().Select(line => line.GetString()))
                    : source.GetString() ?? "";
                quotes.AddRange(FindQuotes($"{Path.GetRelativePath(root, notebook)} cell {i}", text));
            }
        }
        var documents = Directory.GetFiles(RepositoryFiles.Path("docs"), "*.md").Order(StringComparer.Ordinal)
            .Concat([RepositoryFiles.Path("environment.md"), RepositoryFiles.Path("data", "models", "MODEL.md"), RepositoryFiles.Path("notebooks", "README.md")]);
        foreach (var doc in documents)
            quotes.AddRange(FindQuotes(Path.GetRelativePath(root, doc), File.ReadAllText(doc)));
        return quotes;
    }

    /// <summary>
    /// Quotes in Markdown: inline code spans (which may wrap over lines) that start with <c>postrvq </c> or a
    /// <c>dotnet run</c> of the CLI, and lines of fenced code blocks that do (continuation backslashes joined, shell
    /// comments dropped).
    /// </summary>
    internal static IEnumerable<Quote> FindQuotes(string source, string markdown)
    {
        var lines = markdown.Replace("\r\n", "\n").Split('\n');
        var fenced = false;
        var prose = new StringBuilder();
        var proseStart = 0;
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                if (!fenced)
                    foreach (var quote in InlineQuotes(source, prose.ToString(), proseStart)) yield return quote;
                fenced = !fenced;
                prose.Clear();
                proseStart = i + 1;
                continue;
            }
            if (!fenced)
            {
                // A blank line ends a paragraph, and no code span crosses it.
                if (string.IsNullOrWhiteSpace(lines[i]))
                {
                    foreach (var quote in InlineQuotes(source, prose.ToString(), proseStart)) yield return quote;
                    prose.Clear();
                    proseStart = i + 1;
                }
                else prose.Append(lines[i]).Append('\n');
                continue;
            }
            var where = $"{source} line {i + 1}";
            var line = new StringBuilder(lines[i]);
            while (line.ToString().TrimEnd().EndsWith('\\') && i + 1 < lines.Length)
            {
                var text = line.ToString().TrimEnd();
                line.Clear().Append(text, 0, text.Length - 1).Append(' ').Append(lines[++i].Trim());
            }
            if (Parse(where, ShellComment().Replace(line.ToString(), "")) is { } command) yield return command;
        }
        if (!fenced)
            foreach (var quote in InlineQuotes(source, prose.ToString(), proseStart)) yield return quote;
    }

    /// <summary>The quotes in the code spans of <paramref name="prose"/>, whose first line is line <paramref name="start"/> (0-based).</summary>
    static IEnumerable<Quote> InlineQuotes(string source, string prose, int start)
    {
        foreach (Match span in InlineCode().Matches(prose))
        {
            var line = start + 1 + prose.AsSpan(0, span.Index).Count('\n');
            var text = Whitespace().Replace(span.Groups[1].Value, " ");
            if (Parse($"{source} line {line}", text) is { } quote) yield return quote;
        }
    }

    /// <summary>The arguments of a command line that runs the CLI, or null when the text does not run it.</summary>
    static Quote? Parse(string source, string text)
    {
        text = text.Trim();
        string rest;
        if (text.StartsWith("postrvq ", StringComparison.Ordinal)) rest = text["postrvq ".Length..];
        else if (DotnetRun().Match(text) is { Success: true } run) rest = run.Groups[1].Value;
        else return null;
        var arguments = new List<string>();
        foreach (var token in rest.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (token is "|" or "||" or "&&" or ";" or ">" or ">>" or "<" or "2>&1") break;
            arguments.Add(token.Trim('"', '\''));
        }
        // A shell function or variable that forwards its arguments ("$@") quotes no command of its own.
        if (arguments.Count == 0 || !CommandWord().IsMatch(arguments[0])) return null;
        return new Quote(source, text, arguments);
    }

    /// <summary>
    /// What is wrong with <paramref name="arguments"/> for the real CLI: words that are not a subcommand where one is
    /// expected, option names the command does not have, and whatever System.CommandLine leaves unmatched.
    /// </summary>
    internal static List<string> Problems(IReadOnlyList<string> arguments)
    {
        var root = PostRvqCli.Build();
        var problems = new List<string>();
        Command command = root;
        var path = "postrvq";
        var recursive = new List<Option>();
        for (var i = 0; i < arguments.Count; i++)
        {
            var token = arguments[i];
            if (token.StartsWith('-'))
            {
                var name = token.Split('=', 2)[0];
                var option = command.Options.Concat(recursive).FirstOrDefault(o => o.Name == name || o.Aliases.Contains(name));
                if (option is null)
                {
                    problems.Add($"`{path}` has no option {name}");
                    continue;
                }
                var takesValue = option.Arity.MaximumNumberOfValues > 0 && option.ValueType != typeof(bool);
                if (takesValue && !token.Contains('=') && i + 1 < arguments.Count && !arguments[i + 1].StartsWith('-')) i++;
                continue;
            }
            if (command.Subcommands.Count == 0) continue;
            var sub = command.Subcommands.FirstOrDefault(c => c.Name == token || c.Aliases.Contains(token));
            if (sub is null)
            {
                if (command.Arguments.Count == 0)
                {
                    // The rest belongs to a command that does not exist; there is nothing more to check.
                    problems.Add($"`{path}` has no command '{token}'");
                    return problems;
                }
                continue;
            }
            recursive.AddRange(command.Options.Where(o => o.Recursive));
            command = sub;
            path += " " + token;
        }
        // System.CommandLine's own parse catches what the walk above lets through, such as a surplus argument.
        if (problems.Count == 0)
            problems.AddRange(root.Parse(arguments.ToArray()).UnmatchedTokens.Select(t => $"System.CommandLine does not match '{t}'"));
        return problems;
    }

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex InlineCode();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"(^|\s)#.*$")]
    private static partial Regex ShellComment();

    [GeneratedRegex(@"^dotnet run --project src/PostRvq\.Cli\S*(?: \S+)*? -- (.+)$")]
    private static partial Regex DotnetRun();

    [GeneratedRegex("^[a-z][a-z0-9-]*$")]
    private static partial Regex CommandWord();
}
