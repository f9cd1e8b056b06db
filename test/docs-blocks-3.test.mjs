// The ```js blocks of the docs, share 3 of 3 (test/helpers/docs.mjs; the convention is in test/docs.test.mjs).
import { suite } from 'uvu';
import { blockSuite } from './helpers/docs.mjs';

blockSuite(suite, 2, 3);
