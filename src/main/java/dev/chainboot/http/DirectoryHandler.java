package dev.chainboot.http;

import dev.chainboot.fs.SafePath;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.eclipse.jetty.http.DateParser;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.MimeTypes;
import org.eclipse.jetty.http.content.FileMappingHttpContentFactory;
import org.eclipse.jetty.http.content.HttpContent;
import org.eclipse.jetty.http.content.ResourceHttpContent;
import org.eclipse.jetty.io.ArrayByteBufferPool;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.ResourceService;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.resource.ResourceFactory;

/**
 * Serves the regular files of one directory under a URL prefix: Content-Length, HEAD, Range
 * (single, suffix, multi -> multipart/byteranges, 416), Last-Modified/ETag and conditional requests
 * (304, If-Range) come from Jetty's {@link ResourceService}, files are memory-mapped. Every path is
 * checked with {@link SafePath} first (no {@code ..}, backslash, NUL, no symlink leading outside
 * the root); directories are never listed. Used for {@code /assets/}, the pxe_srv document root,
 * pixie's {@code /extra/} and scripts, and Zero-OS's {@code /kernel/}.
 */
public final class DirectoryHandler extends Handler.Abstract {

  private final Path root;
  private final String mount;
  private final String forcedContentType;
  private final Service service = new Service();
  private final HttpContent.Factory factory;

  /**
   * @param root the directory to serve
   * @param mount the URL prefix it is mounted at, ending in '/' (e.g. {@code /assets/})
   * @param forcedContentType a Content-Type for every file (e.g. {@code text/plain}), or null to
   *     derive it from the file name
   */
  public DirectoryHandler(Path root, String mount, String forcedContentType) {
    if (!mount.endsWith("/")) {
      throw new IllegalArgumentException("mount must end in '/': " + mount);
    }
    this.root = root.toAbsolutePath().normalize();
    this.mount = mount;
    this.forcedContentType = forcedContentType;
    service.setAcceptRanges(true);
    service.setDirAllowed(false);
    service.setEtags(true);
    ByteBufferPool.Sized sized = new ByteBufferPool.Sized(new ArrayByteBufferPool());
    HttpContent.Factory files =
        absolutePath -> {
          Path p = Path.of(absolutePath);
          return new ResourceHttpContent(
              ResourceFactory.root().newResource(p), contentType(p), sized);
        };
    factory = new MappedFiles(new FileMappingHttpContentFactory(files));
    service.setHttpContentFactory(factory);
    addBean(service);
  }

  public Path root() {
    return root;
  }

  private String contentType(Path p) {
    if (forcedContentType != null) {
      return forcedContentType;
    }
    String t = MimeTypes.DEFAULTS.getMimeByExtension(p.getFileName().toString());
    return t == null ? "application/octet-stream" : t;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    Optional<String> relative = Requests.pathAfter(request, mount);
    if (relative.isEmpty()) {
      return false;
    }
    return serve(relative.get(), request, response, callback);
  }

  /**
   * Serves {@code relative} (a decoded path below the root, as the client sent it) if it names a
   * readable regular file inside the root.
   *
   * @return false when there is no such file (the caller answers 404 or tries something else)
   */
  public boolean serve(String relative, Request request, Response response, Callback callback)
      throws IOException {
    if (!Methods.allowed(request, response, callback, Methods.GET_HEAD)) {
      return true;
    }
    Optional<Path> file = resolveFile(relative);
    if (file.isEmpty()) {
      return false;
    }
    Path realFile = file.get();
    HttpContent found = factory.getContent(realFile.toString());
    if (found == null) {
      return false;
    }
    HttpContent content = new StrongEtag(found);
    Request req = applyIfRange(request, content);
    java.util.List<org.eclipse.jetty.http.ByteRange> ranges =
        MultiRangeWriter.ranges(req, content.getContentLengthValue());
    if (ranges == null) {
      service.doGet(req, response, callback, content);
    } else if (service.conditionalsPass(req, response, content, callback)) {
      MultiRangeWriter.write(req, response, callback, content, realFile, ranges);
    }
    return true;
  }

  /** Jetty's resource service, with its conditional-request evaluation made reachable. */
  private static final class Service extends ResourceService {
    /** False when a 304 or 412 has been sent. */
    boolean conditionalsPass(
        Request request, Response response, HttpContent content, Callback callback)
        throws IOException {
      return !handleConditionalHeaders(request, response, content, callback);
    }
  }

  /**
   * RFC 9110 If-Range, which Jetty's ResourceService does not evaluate: when the validator does not
   * match the file, the Range header is dropped and the whole file is sent.
   */
  static Request applyIfRange(Request request, HttpContent content) {
    String ifRange = request.getHeaders().get(HttpHeader.IF_RANGE);
    if (ifRange == null) {
      return request;
    }
    String v = ifRange.trim();
    boolean match;
    if (v.startsWith("\"")) {
      match = v.equals(content.getETagValue());
    } else if (v.startsWith("W/")) {
      match = false; // weak validators never match If-Range
    } else {
      long date = DateParser.parseDate(v);
      Instant lm = content.getLastModifiedInstant();
      match = date != -1 && lm != null && date / 1000 == lm.getEpochSecond();
    }
    HttpFields.Mutable fields = HttpFields.build(request.getHeaders());
    fields.remove(HttpHeader.IF_RANGE);
    if (!match) {
      fields.remove(HttpHeader.RANGE);
    }
    HttpFields fixed = fields.asImmutable();
    return new Request.Wrapper(request) {
      @Override
      public HttpFields getHeaders() {
        return fixed;
      }
    };
  }

  /**
   * Jetty marks its file ETags weak; they are derived from modification time and size (like nginx's
   * strong ones), so they are offered as strong validators, which Range needs.
   */
  private static final class StrongEtag extends HttpContent.Wrapper {
    private final String etag;

    StrongEtag(HttpContent content) {
      super(content);
      String e = content.getETagValue();
      etag = e != null && e.startsWith("W/") ? e.substring(2) : e;
    }

    @Override
    public HttpField getETag() {
      return etag == null ? null : new HttpField(HttpHeader.ETAG, etag);
    }

    @Override
    public String getETagValue() {
      return etag;
    }
  }

  /**
   * One mapping per file, not one per request: Jetty's {@link FileMappingHttpContentFactory} maps
   * the file again for every request, and a new mapping costs an {@code mmap}, page faults on every
   * page sent and an {@code munmap} when the collector finds the buffer - in a boot storm a
   * thousand machines fetch the same kernel and initrd. A mapping is used again while the file's
   * size and modification time are those it was mapped with (a file replaced or rewritten is mapped
   * anew). At most {@link #MAX_FILES} files are remembered; mappings live in the page cache, not
   * the heap.
   */
  static final class MappedFiles implements HttpContent.Factory {
    static final int MAX_FILES = 256;

    private record Mapped(HttpContent content, long size, long modifiedNanos) {}

    private final HttpContent.Factory mapper;
    private final java.util.concurrent.ConcurrentHashMap<String, Mapped> files =
        new java.util.concurrent.ConcurrentHashMap<>();

    MappedFiles(HttpContent.Factory mapper) {
      this.mapper = mapper;
    }

    @Override
    public HttpContent getContent(String path) throws IOException {
      java.nio.file.attribute.BasicFileAttributes a;
      try {
        a = Files.readAttributes(Path.of(path), java.nio.file.attribute.BasicFileAttributes.class);
      } catch (IOException e) {
        files.remove(path);
        return mapper.getContent(path);
      }
      long size = a.size();
      long modified = a.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS);
      Mapped m = files.get(path);
      if (m != null && m.size() == size && m.modifiedNanos() == modified) {
        return m.content();
      }
      HttpContent c = mapper.getContent(path);
      if (c == null || c.getContentLengthValue() != size) {
        files.remove(path); // changed while it was mapped: map it again next time
        return c;
      }
      if (files.size() >= MAX_FILES) {
        files.clear();
      }
      files.put(path, new Mapped(c, size, modified));
      return c;
    }

    /** Files with a mapping kept (tests). */
    int size() {
      return files.size();
    }
  }

  /** The real path of the readable regular file {@code relative} names inside the root. */
  private Optional<Path> resolveFile(String relative) {
    if (relative == null || relative.isEmpty()) {
      return Optional.empty();
    }
    return SafePath.resolve(root, relative)
        .filter(p -> Files.isRegularFile(p) && Files.isReadable(p));
  }
}
